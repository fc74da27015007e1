/** Request bodies are small JSON (a post is 280 code points); anything larger is refused with 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;
