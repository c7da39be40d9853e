/** The selection so far as hidden fields, so a plain GET form carries it to the next step. */
export function HiddenFields({ fields }: { fields: Record<string, string | null | undefined> }) {
  return (
    <>
      {Object.entries(fields).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
    </>
  );
}
