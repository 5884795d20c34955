export function Spinner({ label }: { label: string }) {
  return (
    <p className="ui-spinner" role="status">
      {label}
    </p>
  );
}
