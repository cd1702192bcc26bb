/**
 * Google's method definitions as its discovery-generated clients (`@googleapis/*`, `googleapis`)
 * carry them: every method's HTTP verb and path template, from the generated `.js`, and the query
 * parameters the API's methods accept, from the `.d.ts`. requests.test.ts checks the plan's calls
 * against them; scripts/vendor-googleapis.ts stores the same extract for the APIs Google publishes
 * no per-API package of (vendor/googleapis/methods.json), so both sources read alike.
 */
export interface GoogleMethods {
  /** e.g. `{ http: 'POST', template: '/v1/{+parent}/schemas' }`: `{+name}` spans segments, `{name}` is one. */
  methods: { http: string; template: string }[];
  /** Sorted names of the methods' parameters and the standard ones (`fields`, `alt`, …). */
  parameters: string[];
}

export function extractMethods(js: string, dts: string): GoogleMethods {
  const methods = [...js.matchAll(/url: \(rootUrl \+\s*'([^']+)'\)[^\n]*\n\s*method: '([A-Z]+)'/g)]
    .map(([, template, http]) => ({ http: http!, template: template! }));
  // Each method's parameters are an interface `Params$Resource$…` extending `StandardParameters`;
  // its members sit one indentation level deeper, so nested object types cannot be mistaken for them.
  const parameters = new Set<string>();
  for (const [, body] of dts.matchAll(/^ {4}(?:export )?interface (?:Params\$\w+|StandardParameters)\b[^\n]*\{\n([\s\S]*?)^ {4}\}/gm)) {
    for (const [, quoted, bare] of body!.matchAll(/^ {8}(?:'([^']+)'|(\w+))\?: /gm)) parameters.add(quoted ?? bare!);
  }
  // The client's own options, declared alongside the parameters but never sent as query parameters.
  for (const option of ['auth', 'requestBody', 'media']) parameters.delete(option);
  return { methods, parameters: [...parameters].sort() };
}
