// The block types of libs' scap capture files (userspace/libscap/scap_savefile.h):
// pcapng-style blocks, each `type u32 | total length u32 | body | padding to 4 |
// total length u32`, all little-endian. Several kinds had a version 1 under an
// "internal" number before libs' first release; readers still accept those.

export const SHB_BLOCK_TYPE = 0x0a0d0d0a;
export const SHB_MAGIC = 0x1a2b3c4d;
/** the major version libs writes and the newest it reads */
export const SHB_MAJOR = 1;
export const SHB_MINOR = 2;

export const MI_BLOCK_TYPE = 0x201;
export const MI_BLOCK_TYPE_INT = 0x8002abcd;

export const PL_BLOCK_TYPE_V1 = 0x202;
export const PL_BLOCK_TYPE_V1_INT = 0x8000abcd;
export const PL_BLOCK_TYPE_V2 = 0x207;
export const PL_BLOCK_TYPE_V2_INT = 0x8013abcd;
export const PL_BLOCK_TYPE_V3 = 0x209;
export const PL_BLOCK_TYPE_V3_INT = 0x8014abcd;
export const PL_BLOCK_TYPE_V4 = 0x210;
export const PL_BLOCK_TYPE_V5 = 0x211;
export const PL_BLOCK_TYPE_V6 = 0x212;
export const PL_BLOCK_TYPE_V7 = 0x213;
export const PL_BLOCK_TYPE_V8 = 0x214;
export const PL_BLOCK_TYPE_V9 = 0x215;

export const FDL_BLOCK_TYPE = 0x203;
export const FDL_BLOCK_TYPE_INT = 0x8001abcd;
export const FDL_BLOCK_TYPE_V2 = 0x218;

export const EV_BLOCK_TYPE = 0x204;
export const EV_BLOCK_TYPE_INT = 0x8010abcd;
export const EV_BLOCK_TYPE_V2 = 0x216;
export const EV_BLOCK_TYPE_V2_LARGE = 0x221;
export const EVF_BLOCK_TYPE = 0x208;
export const EVF_BLOCK_TYPE_V2 = 0x217;
export const EVF_BLOCK_TYPE_V2_LARGE = 0x222;

export const IL_BLOCK_TYPE = 0x205;
export const IL_BLOCK_TYPE_INT = 0x8011abcd;
export const IL_BLOCK_TYPE_V2 = 0x219;

export const UL_BLOCK_TYPE = 0x206;
export const UL_BLOCK_TYPE_INT = 0x8012abcd;
export const UL_BLOCK_TYPE_V2 = 0x220;

/** the process list block's version (1..9), or 0 for another block */
export function procListVersion(type: number): number {
  switch (type) {
    case PL_BLOCK_TYPE_V1: case PL_BLOCK_TYPE_V1_INT: return 1;
    case PL_BLOCK_TYPE_V2: case PL_BLOCK_TYPE_V2_INT: return 2;
    case PL_BLOCK_TYPE_V3: case PL_BLOCK_TYPE_V3_INT: return 3;
    case PL_BLOCK_TYPE_V4: return 4;
    case PL_BLOCK_TYPE_V5: return 5;
    case PL_BLOCK_TYPE_V6: return 6;
    case PL_BLOCK_TYPE_V7: return 7;
    case PL_BLOCK_TYPE_V8: return 8;
    case PL_BLOCK_TYPE_V9: return 9;
    default: return 0;
  }
}

/** event blocks: where the event starts in the body (after cpu id, and flags for EVF), and whether its header has nparams */
export interface EventBlockLayout {
  readonly name: string;
  readonly eventAt: number;
  readonly v2: boolean;
}

const EVENT_BLOCKS = new Map<number, EventBlockLayout>([
  [EV_BLOCK_TYPE, { name: 'EV_BLOCK_TYPE', eventAt: 2, v2: false }],
  [EV_BLOCK_TYPE_INT, { name: 'EV_BLOCK_TYPE_INT', eventAt: 2, v2: false }],
  [EVF_BLOCK_TYPE, { name: 'EVF_BLOCK_TYPE', eventAt: 6, v2: false }],
  [EV_BLOCK_TYPE_V2, { name: 'EV_BLOCK_TYPE_V2', eventAt: 2, v2: true }],
  [EV_BLOCK_TYPE_V2_LARGE, { name: 'EV_BLOCK_TYPE_V2_LARGE', eventAt: 2, v2: true }],
  [EVF_BLOCK_TYPE_V2, { name: 'EVF_BLOCK_TYPE_V2', eventAt: 6, v2: true }],
  [EVF_BLOCK_TYPE_V2_LARGE, { name: 'EVF_BLOCK_TYPE_V2_LARGE', eventAt: 6, v2: true }],
]);

export function eventBlockLayout(type: number): EventBlockLayout | undefined {
  return EVENT_BLOCKS.get(type);
}

/** block body length rounded up to 4, as every block is padded */
export function padded(n: number): number {
  return (n + 3) & ~3;
}
