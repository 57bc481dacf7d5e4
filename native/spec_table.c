/* The probe's syscall specs (bpf/syscall_specs.h) seen from the addon, so
 * that the addon can hand their event codes and parameter counts to
 * TypeScript, which checks them against its decoder's tables at load. C, not
 * C++: the specs are written with C's designated array initializers. */
#include "spec_table.h"

#include "syscall_specs.h"

void vg_spec_table(struct vg_spec_fact *exits, struct vg_spec_fact *enters)
{
	for (unsigned i = 0; i < VG_SYSCALL_SLOTS; i++) {
		exits[i].event = vg_specs[i].event;
		exits[i].nparams = vg_specs[i].special ? 0xff : vg_specs[i].nparams;
	}
	for (unsigned i = 0; i < VG_ENTER_COUNT; i++) {
		enters[i].event = vg_enter_specs[i].event;
		enters[i].nparams = vg_enter_specs[i].nparams;
	}
}
