// Every field of the syscall source, in the order `--list syscall` shows them.
import type { FieldDef } from '../../../engine/source';
import type { SyscallEvent } from '../state/syscallEvent';
import { containerFields } from './containerFields';
import { evtFields } from './evtFields';
import { fdFields } from './fdFields';
import { procFields } from './procFields';
import { userFields } from './userFields';

export const syscallFields: readonly FieldDef<SyscallEvent>[] = [...evtFields, ...procFields, ...userFields, ...fdFields, ...containerFields];
