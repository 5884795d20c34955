// A modal dialog on the native <dialog> (showModal): focus is trapped inside and returns
// to the opener on close; Escape closes it. Its title names it; `describedBy` points
// screen readers at the text that says what confirming does, and `initialFocus` puts
// focus on a chosen element (the least harmful action of a confirmation) instead of
// the first focusable one.
import { useEffect, useId, useRef, type ReactNode, type RefObject } from 'react';

export interface DialogProps {
  open: boolean;
  title: ReactNode;
  /** Called when the user dismisses it (Escape, a cancel button). */
  onClose: () => void;
  /** The id of the element that describes the dialog (`aria-describedby`). */
  describedBy?: string;
  /** Focused when the dialog opens (else the browser focuses the first focusable element). */
  initialFocus?: RefObject<HTMLElement | null>;
  children: ReactNode;
}

export function Dialog({ open, title, onClose, describedBy, initialFocus, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal?.();
      initialFocus?.current?.focus();
    }
    if (!open && dialog.open) dialog.close();
  }, [open, initialFocus]);
  return (
    <dialog
      ref={ref}
      className="ui-dialog"
      aria-labelledby={titleId}
      aria-describedby={open ? describedBy : undefined}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="ui-dialog__title">
        {title}
      </h2>
      {open && children}
    </dialog>
  );
}
