// The page imports the parser from the URL it is served at (/ui/assets/eventsource-parser.js, the
// package's own ES module); for the type check, that module is the package.
export * from 'eventsource-parser';
