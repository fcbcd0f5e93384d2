/**
 * Keyboard conventions of the labeling screen (see CONTEXT.md for the whole map).
 */

/** Whether a key event comes from a place where the person is typing text. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'file', 'range', 'color', 'image'].includes(target.type);
  }
  return false;
}

/** Whether the key event comes from a multi-line text field (where Enter makes a new line). */
export function isMultilineTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLTextAreaElement || (target instanceof HTMLElement && target.isContentEditable);
}

/** True while an input method (Korean, Japanese…) is composing: no shortcut may fire then. */
export function isComposing(e: KeyboardEvent | React.KeyboardEvent): boolean {
  const native = 'nativeEvent' in e ? e.nativeEvent : e;
  return native.isComposing || native.keyCode === 229;
}

/** "1".."9","0" from a key event (top row or numpad), or null. */
export function digitKey(e: KeyboardEvent): string | null {
  if (/^[0-9]$/.test(e.key)) return e.key;
  const m = /^(?:Digit|Numpad)([0-9])$/.exec(e.code);
  return m ? m[1]! : null;
}

/** The platform's "command" modifier: ⌘ on Apple keyboards, Ctrl elsewhere (both accepted). */
export const hasMod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
