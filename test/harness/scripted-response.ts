/** One answer the scripted origin gives (`fake-origin-scripted.ts`); shared with tests in workerd. */
export interface ScriptedResponse {
  status?: number;
  /** Header lines as sent: a list sends the field several times. */
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Declare the whole body's length, send half of it, then drop the connection. */
  cut?: boolean;
  /** Answers nothing: the request stays open until the client gives up (an origin that hangs). */
  hang?: boolean;
}
