/**
 * A button whose action waits for a confirmation in a modal dialog (the browser's own <dialog>:
 * focus moves into it, Escape closes it). Optionally asks for a reason.
 */
import { useRef, useState } from "preact/hooks";

interface Props {
  label: string;
  title: string;
  description: string;
  confirmLabel: string;
  /** Ask for an optional reason (sent with the action). */
  reasonLabel?: string;
  danger?: boolean;
  onConfirm(reason: string): Promise<void>;
}

export function ConfirmAction({ label, title, description, confirmLabel, reasonLabel, danger, onConfirm }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState("");
  const idBase = `confirm-${label.toLowerCase().replace(/[^a-z]+/g, "-")}`;

  const open = () => {
    setError(null);
    setReason("");
    dialog.current?.showModal();
  };
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason);
      dialog.current?.close();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class={danger ? "button danger" : "button"} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={`${idBase}-title`} aria-describedby={`${idBase}-text`}>
        <form method="dialog" onSubmit={confirm}>
          <h2 id={`${idBase}-title`}>{title}</h2>
          <p id={`${idBase}-text`}>{description}</p>
          {reasonLabel && (
            <p>
              <label for={`${idBase}-reason`}>{reasonLabel}</label>
              <input
                id={`${idBase}-reason`}
                type="text"
                maxLength={200}
                value={reason}
                onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)}
              />
            </p>
          )}
          {error && (
            <p class="error-text" role="alert">
              {error}
            </p>
          )}
          <div class="dialog-actions">
            <button type="button" class="button" onClick={() => dialog.current?.close()} disabled={busy}>
              Keep it
            </button>
            <button type="submit" class={danger ? "button danger" : "button primary"} disabled={busy}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
