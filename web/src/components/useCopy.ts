// Copying a text to the clipboard with one click (a reference, a guarantee identifier),
// and whether it worked, for a status message beside the button ('no' where the
// browser allows no clipboard: the text stays shown to be written down).
import { useState } from 'react';

export function useCopy() {
  const [copied, setCopied] = useState<'yes' | 'no'>();
  const copy = (text: string) => {
    if (!navigator.clipboard) {
      setCopied('no');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setCopied('yes'),
      () => setCopied('no'),
    );
  };
  return { copied, copy };
}
