// Validates an OpenAPI document (file given as the only argument) against the OpenAPI 3.1 schema
// and its own $refs, with @apidevtools/swagger-parser. Exit 0 when valid; 1 with the validator's
// message on stderr when not; 2 when it could not run.
'use strict';
const fs = require('fs');
const SwaggerParser = require('@apidevtools/swagger-parser');

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node validate.js openapi.json');
    process.exit(2);
  }
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    process.exit(1);
  }
  try {
    const api = await SwaggerParser.validate(doc);
    console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths || {}).length} paths`);
  } catch (e) {
    console.error(`${file}: invalid: ${e.message}`);
    process.exit(1);
  }
}
main();
