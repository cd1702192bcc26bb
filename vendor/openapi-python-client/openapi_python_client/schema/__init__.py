__all__ = [
    "DataType",
    "MediaType",
    "OpenAPI",
    "Operation",
    "Parameter",
    "Parameter",
    "ParameterLocation",
    "PathItem",
    "Reference",
    "RequestBody",
    "Response",
    "Responses",
    "Schema",
]


from .data_type import DataType
from .openapi_schema_pydantic import (
    MediaType,
    OpenAPI,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Response,
    Responses,
    Schema,
)
from .parameter_location import ParameterLocation
