// Evaluate formulas in HyperFormula, an engine that follows Excel's documented semantics
// (TRUE and FALSE rank above every number; COUNTIF reads a numeric criterion as a number).
// stdin: {"cells": [[...], ...], "names": {"name": "=Sheet1!$A$1:$A$3"}, "formulas": ["=...", ...]}
// stdout: one JSON value per formula, in order ({"error": "#VALUE!"} for an error).
const { HyperFormula, FunctionPlugin, FunctionArgumentType } = require('hyperformula');

// ASC as Excel documents it: full-width (double-byte) letters, digits, signs and the ideographic space made half-width.
class AscPlugin extends FunctionPlugin {
  asc(ast, state) {
    return this.runFunction(ast.args, state, this.metadata('ASC'), (text) =>
      String(text).replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0)).replace(/\u3000/g, ' '));
  }
}
AscPlugin.implementedFunctions = { ASC: { method: 'asc', parameters: [{ argumentType: FunctionArgumentType.STRING }] } };
HyperFormula.registerFunctionPlugin(AscPlugin, { enGB: { ASC: 'ASC' } });
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const hf = HyperFormula.buildFromArray(job.cells, { licenseKey: 'gpl-v3', useWildcards: true, useArrayArithmetic: true });
  for (const [name, ref] of Object.entries(job.names || {})) { hf.addNamedExpression(name, ref); }
  const width = Math.max(1, ...job.cells.map((r) => r.length));
  const out = job.formulas.map((formula, i) => {
    const address = { sheet: 0, col: width + 2, row: i };
    hf.setCellContents(address, [[formula]]);
    const value = hf.getCellValue(address);
    return value !== null && typeof value === 'object' ? { error: value.value } : value;
  });
  process.stdout.write(JSON.stringify(out));
});
