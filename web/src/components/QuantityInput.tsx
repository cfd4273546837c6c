/** A whole-number quantity cell input, kept between 0 and `max` (a million when there is no max). */
export function QuantityInput({ value, max, label, onChange }: { value: number; max?: number; label: string; onChange: (quantity: number) => void }) {
  return (
    <input
      type="number"
      className="qty-input"
      min={0}
      max={max}
      value={value}
      aria-label={label}
      onChange={(e) => onChange(Math.max(0, Math.min(max ?? 1_000_000, Math.floor(Number(e.target.value) || 0))))}
    />
  );
}
