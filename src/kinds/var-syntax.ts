/**
 * How files write a value that differs per environment: `${NAME}` stands for a value from
 * hogsync.yaml `vars:` or the process environment, and `$${` writes a literal `${`.
 */
export const VAR = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** One well-formed `${NAME}` anywhere in a text. */
export const VAR_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*\}/;
