/** Where the Electron binary is, or why it cannot be used (see electron-binary.mjs). */
export function electronBinary(): { binary: string; missing?: undefined } | { missing: string; binary?: string };
