/* What the addon reads of the probe's syscall specs (spec_table.c). */
#ifndef VIGIL_SPEC_TABLE_H
#define VIGIL_SPEC_TABLE_H

#include "vigil_events.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vg_spec_fact {
	unsigned short event;  /* event code, 0: the syscall is not reported */
	unsigned char nparams; /* parameters the generic filler writes; 0xff: a filler of its own */
};

/* exits: VG_SYSCALL_SLOTS entries by x86_64 number; enters: VG_ENTER_COUNT,
 * in the order of VG_ENTER_SYSCALLS */
void vg_spec_table(struct vg_spec_fact *exits, struct vg_spec_fact *enters);

#ifdef __cplusplus
}
#endif

#endif
