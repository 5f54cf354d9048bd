/**
 * A small titled form that shows the API's error or a tick on success (the console's action cards).
 */
import { type FormEvent, type ReactNode, useState } from "react";
import { ErrorBox, errorText } from "./ui.tsx";

/** A small titled form that shows the API's error or a tick on success. */
export function ActionForm({
  title,
  onSubmit,
  children,
  submit,
}: {
  title: string;
  onSubmit: () => Promise<unknown>;
  children: ReactNode;
  submit: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setOk(false);
    try {
      await onSubmit();
      setOk(true);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={run} aria-label={title}>
      <h3>{title}</h3>
      {children}
      <ErrorBox error={error} />
      {ok && <p role="status">✓</p>}
      <button type="submit">{submit}</button>
    </form>
  );
}
