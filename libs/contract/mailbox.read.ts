// What a tool needs to read a mailbox exactly as the product's push read does (the ceiling server): the mailbox READ
// script and the post cache's tombstone for a deleted post. Re-exported from the product files that define them, which
// import nothing, so they stay within the contract's rules (contract.spec.ts walks into them).
export { READ } from '../mailbox/mailbox.scripts.js';
export { DELETED_POST } from '../posts/post.model.js';
