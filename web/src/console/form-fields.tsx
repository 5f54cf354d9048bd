export const SERVICE_ROLES = ["admin", "operator", "engineer"];
export const CUSTODY_ROLES = ["admin", "engineer"];
export const PROVIDERS = ["aws", "azure", "gcp", "other"] as const;
export const OS_FAMILIES = [
  "rhel",
  "almalinux",
  "rocky",
  "centos",
  "ubuntu",
  "debian",
  "amazon_linux",
  "suse",
  "windows_server",
  "other",
] as const;

export function TextArea(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  hint?: string;
  required?: boolean;
  mono?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name={props.id}
        rows={props.rows ?? 3}
        value={props.value}
        required={props.required ?? false}
        className={props.mono ? "mono" : undefined}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
      />
      {props.hint && (
        <small id={`${props.id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function Check(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <div className="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
    </div>
  );
}

/** A server's details, changed by staff (the name and kind stay: they are what the contract lists). */
