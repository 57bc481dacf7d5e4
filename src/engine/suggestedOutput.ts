// Falco's `append_output: - suggested_output: true`: each rule's output gets
// the fields its source suggests, as ` key=%field` with the field's dots made
// underscores (`container_id=%container.id`). A field the output already
// prints is not added again.

/** `output` with the suggested fields it lacks appended */
export function withSuggestedFields(output: string, fields: readonly string[]): string {
  let out = output.trimEnd();
  for (const f of fields) {
    if (printsField(output, f)) continue;
    out += ` ${f.replace(/\./g, '_')}=%${f}`;
  }
  return out;
}

/** `%field` or `%(field)`, not followed by more of a longer field name */
function printsField(output: string, field: string): boolean {
  for (const form of [`%${field}`, `%(${field})`]) {
    let at = output.indexOf(form);
    while (at >= 0) {
      const next = output.charCodeAt(at + form.length);
      // a longer name (container.id vs container.image) or an argument is another field
      if (form.endsWith(')') || !(next === 46 || next === 95 || next === 91 || (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122))) return true;
      at = output.indexOf(form, at + 1);
    }
  }
  return false;
}
