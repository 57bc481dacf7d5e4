// `vigil -V` with json_output: each file's load result in the JSON shape
// Falco prints (falco_load_results: name, successful, errors and warnings,
// each with context.locations, a snippet, a code, its description and the
// message), so tools written for Falco's output read Vigil's.
import type { RulesError } from '../engine/errors';

export interface FileLoadResult {
  name: string;
  /** the file's text, for the byte offsets Falco reports */
  content: string | undefined;
  errors: readonly RulesError[];
  warnings: readonly RulesError[];
}

// Falco's codes and their descriptions (falco_load_result.cpp). For errors
// Falco writes the short text as codedesc, for warnings the long one.
const ERROR_DESC: Record<string, string> = {
  LOAD_ERR_FILE_READ: 'File read error',
  LOAD_ERR_YAML_PARSE: 'YAML parse error',
  LOAD_ERR_YAML_VALIDATE: 'Error validating internal structure of YAML file',
  LOAD_ERR_COMPILE_CONDITION: 'Error compiling condition',
  LOAD_ERR_COMPILE_OUTPUT: 'Error compiling output',
  LOAD_ERR_VALIDATE: 'Error validating rule/macro/list/exception objects',
};

const WARNING_DESC: Record<string, string> = {
  LOAD_UNKNOWN_SOURCE:
    'A rule has a unknown event source. This can occur when reading rules content without having a corresponding plugin loaded, etc. The rule will be silently ignored.',
  LOAD_NO_EVTTYPE:
    'A rule condition matches too many evt.type values. This has a significant performance penalty. Make the condition more specific by adding an evt.type field or further restricting the number of evt.type values in the condition.',
  LOAD_UNKNOWN_FILTER:
    'A rule condition or output refers to a field or evt.type that does not exist. This is normally an error, but if a rule has a skip-if-unknown-filter property, the error is downgraded to a warning.',
  LOAD_UNUSED_MACRO: 'A macro is defined in the rules content but is not used by any other macro or rule.',
  LOAD_UNUSED_LIST: 'A list is defined in the rules content but is not used by any other list, macro, or rule.',
  LOAD_UNKNOWN_ITEM: 'An unknown top-level object is in the rules content. It will be ignored.',
  LOAD_APPEND_NO_VALUES: 'A rule exception is overriding/appending with no values',
  LOAD_COMPILE_CONDITION: 'A rule condition or output have been parsed with a warning',
  LOAD_UNKNOWN_KEY:
    'An item in the rules content contains an unrecognized key. The key will be ignored. This may indicate a typo or a property placed on the wrong item type.',
  LOAD_DEPRECATED_ITEM: 'A deprecated item is employed by lists, macros, or rules.',
};

// Vigil's messages carry no code: each pattern below is the start or a phrase
// of the messages that one of Falco's codes stands for; the first match wins.
const WARNING_CODES: [RegExp, string][] = [
  [/^unknown source /, 'LOAD_UNKNOWN_SOURCE'],
  [/^rule matches all event types/, 'LOAD_NO_EVTTYPE'],
  [/skipped \(skip-if-unknown-filter\)$/, 'LOAD_UNKNOWN_FILTER'],
  [/^macro not used/, 'LOAD_UNUSED_MACRO'],
  [/^list not used/, 'LOAD_UNUSED_LIST'],
  [/^unknown top-level item/, 'LOAD_UNKNOWN_ITEM'],
  [/with no values$/, 'LOAD_APPEND_NO_VALUES'],
  [/^unknown key /, 'LOAD_UNKNOWN_KEY'],
  [/^%container\.info is deprecated/, 'LOAD_DEPRECATED_ITEM'],
];

const ERROR_CODES: [RegExp, string][] = [
  [/^cannot read rules (file|directory)/, 'LOAD_ERR_FILE_READ'],
  [/^invalid YAML/, 'LOAD_ERR_YAML_PARSE'],
  [/^(rules content must be|unexpected element type|missing required key|'[^']+' must be|'[^']+' is empty|each element of)/, 'LOAD_ERR_YAML_VALIDATE'],
];

function errorCode(e: RulesError): string {
  for (const [re, code] of ERROR_CODES) if (re.test(e.message)) return code;
  // a condition or output text error points into that text
  const line = e.lineText ?? '';
  if (/^\s*-?\s*output:/.test(line) && e.item?.startsWith('rule ')) return 'LOAD_ERR_COMPILE_OUTPUT';
  if (e.item?.startsWith('rule ') || e.item?.startsWith('macro ')) {
    if (/^(unknown field|operator|expected|unexpected|undefined macro|field |transformer|invalid|unsupported|unterminated|macro cycle|empty condition|condition nests|val\(|unknown event type)/.test(e.message)) {
      return 'LOAD_ERR_COMPILE_CONDITION';
    }
  }
  return 'LOAD_ERR_VALIDATE';
}

function warningCode(w: RulesError): string {
  for (const [re, code] of WARNING_CODES) if (re.test(w.message)) return code;
  return 'LOAD_COMPILE_CONDITION';
}

/** `rule 'X'` -> item type and name as Falco names them. */
function itemOf(e: RulesError): { item_type: string; item_name: string } {
  const m = /^(rule|macro|list) '(.*)'$/.exec(e.item ?? '');
  if (m) return { item_type: m[1], item_name: m[2] };
  if (e.item) return { item_type: e.item, item_name: '' };
  return { item_type: 'rules content', item_name: '' };
}

function offsetOf(content: string | undefined, line: number, col: number): number {
  if (content === undefined) return 0;
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = content.indexOf('\n', at);
    if (nl < 0) return content.length;
    at = nl + 1;
  }
  return at + col - 1;
}

function entry(e: RulesError, file: FileLoadResult, code: string, desc: string): Record<string, unknown> {
  const loc = e.location;
  const text = e.format();
  const nl = text.indexOf('\n');
  return {
    context: {
      locations: [
        {
          ...itemOf(e),
          position: loc
            ? { name: loc.file, line: loc.line, column: loc.col, offset: offsetOf(loc.file === file.name ? file.content : undefined, loc.line, loc.col) }
            : { name: file.name, line: 0, column: 0, offset: 0 },
        },
      ],
      snippet: nl < 0 ? '' : `${text.slice(nl + 1)}\n`,
    },
    code,
    codedesc: desc,
    message: e.message,
  };
}

/** One file's result as Falco's `-V` JSON writes it. */
export function loadResultJson(file: FileLoadResult): Record<string, unknown> {
  return {
    name: file.name,
    successful: file.errors.length === 0,
    errors: file.errors.map((e) => {
      const code = errorCode(e);
      return entry(e, file, code, ERROR_DESC[code]);
    }),
    warnings: file.warnings.map((w) => {
      const code = warningCode(w);
      return entry(w, file, code, WARNING_DESC[code]);
    }),
  };
}
