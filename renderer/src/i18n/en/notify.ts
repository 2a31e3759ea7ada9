// English: the words the core writes into alerts and notifications (built-in
// rule names and summaries, status and severity words, notification titles).
// One catalogue for the core and the screen: it lives in
// main/common/alertTexts.ts, where the core reads it to write notifications
// in the UI's language; this area makes the same words the renderer's.
import { alertTextsEn } from '../../../../main/common/alertTexts';

export const notifyEn = alertTextsEn;
