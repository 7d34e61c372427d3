// A configuration file in YAML, parsed and validated so that every problem names its field and the
// line it sits on (venue.yaml and subscriber.yaml both load this way).
import { LineCounter, parseDocument } from 'yaml';

/** One problem found in a config file: dotted path, and the YAML line when known. */
export interface ConfigIssue {
  path: string;
  line?: number;
  message: string;
}

/**
 * Parses YAML text and validates it; every issue comes back with the line of the
 * deepest node that exists along its path.
 */
export function parseYamlConfig<T>(
  text: string,
  validate: (raw: unknown) => { config?: T | undefined; issues: { path: (string | number)[]; message: string }[] },
): { config: T; issues: [] } | { config?: undefined; issues: ConfigIssue[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    return { issues: doc.errors.map((e) => ({ path: '', line: lines.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! })) };
  }
  const { config, issues } = validate(doc.toJS());
  if (config !== undefined) return { config, issues: [] };
  return {
    issues: issues.map((i) => {
      const issue: ConfigIssue = { path: i.path.join('.'), message: i.message };
      for (let n = i.path.length; n >= 0; n--) {
        const node = doc.getIn(i.path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
        if (node !== undefined && node !== null && typeof node === 'object' && Array.isArray(node.range)) {
          issue.line = lines.linePos(node.range[0]).line;
          break;
        }
      }
      return issue;
    }),
  };
}
