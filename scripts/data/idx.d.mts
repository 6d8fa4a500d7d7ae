export function encodeIdx(dims: number[], data: Uint8Array): Buffer;
export function decodeIdx(bytes: Uint8Array): { dims: number[]; data: Buffer };
