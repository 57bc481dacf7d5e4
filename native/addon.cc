// The native half of syscall capture: load and attach the probe, configure it,
// and move ring-buffer records into a batch buffer JavaScript reads in place.
// Options, defaults and error wording live in src/sources/syscall/probe.ts.
//
// Draining never blocks the event loop: a watcher thread waits on the ring
// buffer's epoll fd and, when records are ready, wakes JavaScript through a
// thread-safe function; JavaScript then calls drain() (a bounded, non-blocking
// copy) until the ring is empty, and arm() to be woken again. Under load the
// watcher lets records gather for kCoalesce after a wake-up before it waits
// again, so JavaScript is woken a bounded number of times a second with full
// batches, instead of once per handful of events.
#include <napi.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ia32_emulation.h"
#include "spec_table.h"
#include "syscall_tracepoints.h"
#include "vigil_events.h"
#include "vigil.skel.h"

namespace {

// libbpf's messages for the step being run, quoted in the error if it fails
thread_local std::string g_libbpf_log;

int collect_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  vsnprintf(line, sizeof line, fmt, args);
  g_libbpf_log += line;
  if (g_libbpf_log.size() > 16384) g_libbpf_log.erase(0, g_libbpf_log.size() - 16384);
  return 0;
}

uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

// the largest record the probe writes (its scratch buffer), kept free at the
// end of a batch so a record is never split or lost
constexpr size_t kMaxRecord = 64 * 1024 + 64;

// cut masks kept per batch: a batch stops early once this many events in it
// were cut, so the marks never overflow
constexpr uint32_t kMaxMarks = 4096;

// least time between two wake-ups of JavaScript: bounds wake-ups to 500/s and
// is the most latency it adds, only when events keep coming
constexpr std::chrono::microseconds kCoalesce(2000);

// syscalls with enter events, in the order of VG_ENTER_SYSCALLS (vigil_events.h)
#define VG_ENTER_NR(name, nr, nargs) nr,
constexpr uint32_t kEnterSyscalls[] = {VG_ENTER_SYSCALLS(VG_ENTER_NR)};
#undef VG_ENTER_NR
constexpr size_t kEnters = VG_ENTER_COUNT;
static_assert(sizeof kEnterSyscalls / sizeof kEnterSyscalls[0] == kEnters, "one number per enter syscall");
// their x86_64 entry functions, which the fentry programs hook
#define VG_ENTER_FN(name, nr, nargs) "__x64_sys_" #name,
const char *const kEnterFunctions[kEnters] = {VG_ENTER_SYSCALLS(VG_ENTER_FN)};
#undef VG_ENTER_FN
// their names, as in the per-syscall tracepoints syscalls/sys_enter_<name>
#define VG_ENTER_NAME(name, nr, nargs) #name,
const char *const kEnterNames[kEnters] = {VG_ENTER_SYSCALLS(VG_ENTER_NAME)};
#undef VG_ENTER_NAME

// How the enter programs hook the five syscalls, best first: fentry on the
// entry functions, the per-syscall tracepoints (both run for their own
// syscall only), the sys_enter tracepoint (runs on every syscall).
enum class EnterHook { kFentry, kTracepoint, kSysEnter };

// How syscall exits are hooked: the per-syscall exit tracepoints (each runs
// for its own syscall only; the generic program may run beside them for ia32
// syscalls), or the generic sys_exit program for every syscall.
enum class ExitHook { kTracepoint, kSysExit };

// Why fentry cannot hook the entry functions here, or "" when it can load:
// one missing from BTF, or the kernel refusing a two-instruction fentry
// program (no BPF trampoline, or a policy against it). Saves loading the
// whole probe twice on such kernels. No BTF at all is left to the load to report.
std::string fentry_unusable() {
  struct btf *vmlinux = btf__load_vmlinux_btf();
  if (!vmlinux) return "";
  std::string why;
  int target = -1;
  for (const char *fn : kEnterFunctions) {
    int id = btf__find_by_name_kind(vmlinux, fn, BTF_KIND_FUNC);
    if (id < 0) {
      why = std::string("this kernel's BTF has no ") + fn;
      break;
    }
    if (target < 0) target = id;
  }
  btf__free(vmlinux);
  if (!why.empty()) return why;
  const struct bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
              .attach_btf_id = uint32_t(target));
  int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "vigil_fentry", "GPL", insns, 2, &opts);
  if (fd >= 0) {
    close(fd);
    return "";
  }
  return std::string("the kernel refused an fentry program (") + strerror(errno) + ")";
}

class Probe : public Napi::ObjectWrap<Probe> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Probe",
                       {InstanceMethod("setEnabled", &Probe::SetEnabled),
                        InstanceMethod("drain", &Probe::Drain),
                        InstanceMethod("watch", &Probe::Watch),
                        InstanceMethod("arm", &Probe::Arm),
                        InstanceMethod("stats", &Probe::Stats),
                        InstanceMethod("enterAttached", &Probe::EnterAttached),
                        InstanceMethod("enterMode", &Probe::EnterMode),
                        InstanceMethod("enterFallback", &Probe::EnterFallback),
                        InstanceMethod("exitHooks", &Probe::ExitHooks),
                        InstanceMethod("enableRunStats", &Probe::EnableRunStats),
                        InstanceMethod("runStats", &Probe::RunStats),
                        InstanceMethod("close", &Probe::Close),
                        InstanceAccessor("buffer", &Probe::Buffer, nullptr),
                        InstanceAccessor("marks", &Probe::Marks, nullptr)});
  }

  // new Probe({ ringBytes, snaplen, batchBytes, enterHook: 'auto' | 'tracepoint' | 'sys_enter' })
  explicit Probe(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Probe>(info) {
    Napi::Env env = info.Env();
    Napi::Object o = info[0].As<Napi::Object>();
    uint32_t ring = o.Get("ringBytes").As<Napi::Number>().Uint32Value();
    uint32_t snaplen = o.Get("snaplen").As<Napi::Number>().Uint32Value();
    batch_bytes_ = o.Get("batchBytes").As<Napi::Number>().Uint32Value();
    Napi::Value hook_option = o.Get("enterHook");
    std::string asked = hook_option.IsString() ? hook_option.As<Napi::String>().Utf8Value() : "auto";
    // a probe artifact (npm run probe:build) instead of the object built in,
    // and a BTF file to relocate against instead of the running kernel's
    Napi::Value object_option = o.Get("objectPath");
    if (object_option.IsString()) {
      std::string path = object_option.As<Napi::String>().Utf8Value();
      if (!ReadFile(path, object_bytes_)) Fail(env, ("read probe object " + path).c_str(), errno);
    }
    Napi::Value btf_option = o.Get("btfPath");
    if (btf_option.IsString()) btf_path_ = btf_option.As<Napi::String>().Utf8Value();
    Napi::Value exit_option = o.Get("exitHook");
    std::string exit_asked = exit_option.IsString() ? exit_option.As<Napi::String>().Utf8Value() : "auto";
    std::vector<std::string> exit_names(VG_SYSCALL_SLOTS);
    Napi::Value names_option = o.Get("exitTracepoints");
    if (names_option.IsArray()) {
      Napi::Array names = names_option.As<Napi::Array>();
      for (uint32_t i = 0; i < names.Length() && i < VG_SYSCALL_SLOTS; i++) {
        Napi::Value v = names.Get(i);
        if (v.IsString()) exit_names[i] = v.As<Napi::String>().Utf8Value();
      }
    }
    // the ArrayBuffer owns the batch memory, so a view JS keeps never dangles
    size_t cap = batch_bytes_ + kMaxRecord;
    batch_ = static_cast<uint8_t *>(malloc(cap));
    if (!batch_) throw Napi::Error::New(env, "allocate batch buffer failed: out of memory");
    buffer_ref_ = Napi::Persistent(Napi::ArrayBuffer::New(env, batch_, cap, [](Napi::Env, void *data) { free(data); }));
    size_t marks_bytes = (1 + 2 * size_t(kMaxMarks)) * sizeof(uint32_t);
    marks_ = static_cast<uint32_t *>(calloc(1, marks_bytes));
    if (!marks_) throw Napi::Error::New(env, "allocate marks buffer failed: out of memory");
    marks_ref_ = Napi::Persistent(Napi::ArrayBuffer::New(env, marks_, marks_bytes, [](Napi::Env, void *data) { free(data); }));
    env_ = env;

    libbpf_set_print(collect_libbpf_log);
    ChooseExitHook(exit_asked, exit_names);
    if (asked == "sys_enter") {
      hook_ = EnterHook::kSysEnter;
      fallback_ = "the sys_enter hook was asked for";
    } else if (asked == "tracepoint") {
      hook_ = EnterHook::kTracepoint;
      fallback_ = "the tracepoint hook was asked for";
    } else {
      fallback_ = fentry_unusable();
      hook_ = fallback_.empty() ? EnterHook::kFentry : EnterHook::kTracepoint;
    }
    if (hook_ == EnterHook::kTracepoint) UseTracepointsIfFound();
    int err = OpenAndLoad(env, ring, snaplen);
    std::string log;
    while (err && hook_ != EnterHook::kSysEnter) {
      // a kernel that cannot load these enter programs may still load the rest
      log += g_libbpf_log;
      vigil__destroy(skel_);
      skel_ = nullptr;
      std::string why = std::string(hook_ == EnterHook::kFentry ? "the fentry" : "the tracepoint") +
                        " programs did not load (" + strerror(-err) + ")";
      if (hook_ == EnterHook::kFentry) {
        fallback_ = why;
        hook_ = EnterHook::kTracepoint;
        UseTracepointsIfFound();
      } else {
        fallback_ += "; " + why;
        hook_ = EnterHook::kSysEnter;
      }
      err = OpenAndLoad(env, ring, snaplen);
    }
    if (err) {
      g_libbpf_log = log + g_libbpf_log;
      Fail(env, "load", -err);
    }
    skel_->bss->generic_ia32 = exit_hook_ == ExitHook::kSysExit || ia32_hook_;
    err = vigil__attach(skel_);
    if (err) Fail(env, "attach", -err);
    rb_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), &Probe::OnRecord, this, nullptr);
    if (!rb_) Fail(env, "create ring buffer reader", errno);
    napi_add_env_cleanup_hook(env, &Probe::CleanupHook, this);
    hooked_ = true;
  }

  ~Probe() override {
    // the hook must not fire for a Probe that no longer exists
    if (hooked_) napi_remove_env_cleanup_hook(env_, &Probe::CleanupHook, this);
    Shutdown();
  }

 private:
  // Under the tracepoint hook, read the five tracepoints' ids, or fall back to
  // sys_enter saying why they cannot be had.
  void UseTracepointsIfFound() {
    std::string why = syscall_tracepoint_ids("enter", kEnterNames, kEnters, tp_ids_, true);
    if (why.empty()) return;
    fallback_ += "; the per-syscall tracepoints cannot be used: " + why;
    hook_ = EnterHook::kSysEnter;
  }

  // How syscall exits are hooked, decided before the load: the per-syscall
  // exit tracepoints when tracefs has them (ids read once for every syscall
  // the probe knows), plus the generic sys_exit program for ia32 syscalls
  // where the kernel runs them; else the generic program for everything.
  void ChooseExitHook(const std::string &asked, const std::vector<std::string> &names) {
    if (asked == "sys_exit") {
      exit_hook_ = ExitHook::kSysExit;
      exit_why_ = "the sys_exit hook was asked for";
      return;
    }
    std::vector<const char *> cnames(VG_SYSCALL_SLOTS);
    for (size_t i = 0; i < VG_SYSCALL_SLOTS; i++) cnames[i] = names[i].c_str();
    exit_tp_ids_.assign(VG_SYSCALL_SLOTS, -1);
    std::string why = syscall_tracepoint_ids("exit", cnames.data(), VG_SYSCALL_SLOTS, exit_tp_ids_.data(), false);
    if (!why.empty()) {
      exit_hook_ = ExitHook::kSysExit;
      exit_why_ = "the per-syscall exit tracepoints cannot be used: " + why;
      return;
    }
    exit_hook_ = ExitHook::kTracepoint;
    if (asked == "ia32") {
      ia32_hook_ = true;
      exit_why_ = "the ia32 hook was asked for";
      return;
    }
    std::string off = ia32_emulation_off();
    ia32_hook_ = off.empty();
    exit_why_ = ia32_hook_ ? "ia32 emulation is on: 32-bit syscalls reach no per-syscall tracepoint" : off;
  }

  // One perf event on CPU 0 for tracepoint `id`, running `prog`: the kernel
  // runs the programs of a tracepoint on every CPU, the CPU only selects where
  // perf samples land. nullptr with errno set when it fails.
  struct bpf_link *AttachTracepoint(struct bpf_program *prog, int id) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof attr;
    attr.config = uint64_t(id);
    int pfd = int(syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC));
    if (pfd < 0) return nullptr;
    // the link owns pfd from here on, and closes it when destroyed
    struct bpf_link *l = bpf_program__attach_perf_event(prog, pfd);
    if (!l) {
      int e = errno;
      close(pfd);
      errno = e;
    }
    return l;
  }

  // Follow the enabled slots with the exit hooks: a per-syscall tracepoint
  // for each enabled syscall that has one, attached while it is enabled. When
  // the generic program must run anyway (an enabled syscall without a
  // tracepoint of its own, or ia32 syscalls where the kernel runs them), it
  // reports every exit instead: once it is attached every syscall pays for it,
  // and each per-syscall tracepoint beside it would add the kernel's dispatch
  // to every syscall too, for nothing. A tracepoint that does not attach moves
  // every exit to the generic program, saying why. Returns "" or why attaching
  // the generic program failed.
  std::string SetExitHooks(const Napi::Uint8Array &a) {
    std::string failed;
    all_generic_ = false;
    if (exit_hook_ == ExitHook::kTracepoint) {
      bool any_on = false;
      for (uint32_t nr = 0; nr < VG_SYSCALL_SLOTS; nr++) {
        bool on = nr != VG_SLOT_PROCEXIT && a[nr];
        any_on |= on;
        all_generic_ |= on && exit_tp_ids_[nr] < 0;
      }
      all_generic_ |= any_on && skel_->bss->generic_ia32;
      for (uint32_t nr = 0; nr < VG_SYSCALL_SLOTS && failed.empty(); nr++) {
        bool want = !all_generic_ && nr != VG_SLOT_PROCEXIT && a[nr] && exit_tp_ids_[nr] >= 0;
        if (want && !exit_links_[nr]) {
          g_libbpf_log.clear();
          exit_links_[nr] = AttachTracepoint(skel_->progs.vigil_tp_exit, exit_tp_ids_[nr]);
          if (!exit_links_[nr]) failed = "sys_exit of syscall " + std::to_string(nr) + ": " + strerror(errno);
        } else if (!want && exit_links_[nr]) {
          bpf_link__destroy(exit_links_[nr]);
          exit_links_[nr] = nullptr;
        }
      }
      if (!failed.empty()) {
        DetachExits();
        exit_hook_ = ExitHook::kSysExit;
        exit_why_ = "the per-syscall exit tracepoints did not attach (" + failed + ")";
        skel_->bss->generic_ia32 = 1;
      }
    }
    bool any = false, generic = false;
    for (uint32_t nr = 0; nr < VG_SYSCALL_SLOTS; nr++) {
      bool on = nr != VG_SLOT_PROCEXIT && a[nr];
      bool here = on && (exit_hook_ == ExitHook::kSysExit || all_generic_ || exit_tp_ids_[nr] < 0);
      uint64_t bit = 1ull << (nr & 63);
      if (here)
        skel_->bss->generic_nr[nr / 64] |= bit;
      else
        skel_->bss->generic_nr[nr / 64] &= ~bit;
      any |= on;
      generic |= here;
    }
    bool need = generic || (any && skel_->bss->generic_ia32);
    if (need && !generic_exit_link_) {
      g_libbpf_log.clear();
      generic_exit_link_ = bpf_program__attach(skel_->progs.vigil_sys_exit);
      if (!generic_exit_link_) return std::string("attach sys_exit failed: ") + strerror(errno) + "; " + g_libbpf_log;
    } else if (!need && generic_exit_link_) {
      bpf_link__destroy(generic_exit_link_);
      generic_exit_link_ = nullptr;
    }
    return "";
  }

  void DetachExits() {
    for (auto &l : exit_links_) {
      if (l) bpf_link__destroy(l);
      l = nullptr;
    }
    if (generic_exit_link_) bpf_link__destroy(generic_exit_link_);
    generic_exit_link_ = nullptr;
  }

  static bool ReadFile(const std::string &path, std::vector<uint8_t> &out) {
    FILE *f = fopen(path.c_str(), "rb");
    if (!f) return false;
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) out.insert(out.end(), chunk, chunk + n);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
  }

  // The skeleton over the object built in, or over object_bytes_ (an
  // artifact of the same source: the skeleton finds its maps and programs by
  // name, and fails to open an object that lacks one); relocated against
  // btf_path_ when set. Like vigil__open_opts, with the object swapped.
  struct vigil *Open() {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path_.empty() ? nullptr : btf_path_.c_str());
    struct vigil *obj = static_cast<struct vigil *>(calloc(1, sizeof(struct vigil)));
    if (!obj) {
      errno = ENOMEM;
      return nullptr;
    }
    int err = vigil__create_skeleton(obj);
    if (!err && !object_bytes_.empty()) {
      obj->skeleton->data = object_bytes_.data();
      obj->skeleton->data_sz = object_bytes_.size();
    }
    if (!err) err = bpf_object__open_skeleton(obj->skeleton, &opts);
    if (err) {
      vigil__destroy(obj);
      errno = -err;
      return nullptr;
    }
    return obj;
  }

  // Open the skeleton, set its tunables and load it; the enter programs are
  // left for SetEnabled to attach, and only those of hook_ are loaded.
  // Returns 0 or a negative errno from the load; other steps throw.
  int OpenAndLoad(Napi::Env env, uint32_t ring, uint32_t snaplen) {
    g_libbpf_log.clear();
    skel_ = Open();
    if (!skel_) Fail(env, "open", errno);
    skel_->rodata->self_tgid = getpid();
    skel_->rodata->snaplen = snaplen;
    skel_->rodata->boot_epoch_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
    int err = bpf_map__set_max_entries(skel_->maps.events, ring);
    if (err) Fail(env, "set ring buffer size", -err);
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu < 0) Fail(env, "count CPUs", -ncpu);
    err = bpf_map__set_max_entries(skel_->maps.scratch, ncpu);
    if (err) Fail(env, "size scratch map", -err);
    ncpu_ = ncpu;
    // the sys_enter program runs on every syscall once attached, a fentry or
    // tracepoint program on its own syscall: SetEnabled attaches them as needed
    bpf_program__set_autoattach(skel_->progs.vigil_sys_enter, false);
    // the exit programs too; the generic one stays loaded for a fallback
    bpf_program__set_autoattach(skel_->progs.vigil_sys_exit, false);
    bpf_program__set_autoattach(skel_->progs.vigil_tp_exit, false);
    bpf_program__set_autoload(skel_->progs.vigil_tp_exit, exit_hook_ == ExitHook::kTracepoint);
    for (size_t i = 0; i < kEnters; i++) {
      bpf_program__set_autoattach(FentryProgram(i), false);
      bpf_program__set_autoload(FentryProgram(i), hook_ == EnterHook::kFentry);
      bpf_program__set_autoattach(TracepointProgram(i), false);
      bpf_program__set_autoload(TracepointProgram(i), hook_ == EnterHook::kTracepoint);
    }
    return vigil__load(skel_);
  }

  // the fentry program of kEnterSyscalls[i]
  struct bpf_program *FentryProgram(size_t i) {
#define VG_ENTER_PROG(name, nr, nargs) skel_->progs.vigil_enter_##name,
    struct bpf_program *p[kEnters] = {VG_ENTER_SYSCALLS(VG_ENTER_PROG)};
#undef VG_ENTER_PROG
    return p[i];
  }

  // the per-syscall tracepoint program of kEnterSyscalls[i]
  struct bpf_program *TracepointProgram(size_t i) {
#define VG_ENTER_PROG(name, nr, nargs) skel_->progs.vigil_tp_##name,
    struct bpf_program *p[kEnters] = {VG_ENTER_SYSCALLS(VG_ENTER_PROG)};
#undef VG_ENTER_PROG
    return p[i];
  }

  // Attach the enter program of kEnterSyscalls[i] under hook_ (fentry or
  // tracepoint); nullptr with errno set when it fails.
  struct bpf_link *AttachEnter(size_t i) {
    g_libbpf_log.clear();
    if (hook_ == EnterHook::kFentry) return bpf_program__attach(FentryProgram(i));
    return AttachTracepoint(TracepointProgram(i), tp_ids_[i]);
  }

  void DetachEnters() {
    for (auto &l : enter_links_) {
      if (l) bpf_link__destroy(l);
      l = nullptr;
    }
    if (enter_link_) bpf_link__destroy(enter_link_);
    enter_link_ = nullptr;
  }

  [[noreturn]] void Fail(Napi::Env env, const char *step, int errnum) {
    std::string msg = std::string(step) + " failed: " + strerror(errnum);
    std::string log = g_libbpf_log;
    Shutdown();
    Napi::Error e = Napi::Error::New(env, msg);
    e.Set("step", Napi::String::New(env, step));
    e.Set("errno", Napi::Number::New(env, errnum));
    e.Set("log", Napi::String::New(env, log));
    throw e;
  }

  // A record is one event, followed by its cut mask when the probe cut one of
  // its parameters (vigil_events.h): the event goes into the batch, the mask
  // into marks_ as (offset of the event in the batch, mask).
  static int OnRecord(void *ctx, void *data, size_t size) {
    Probe *p = static_cast<Probe *>(ctx);
    if (size > kMaxRecord || size < VG_HEADER_LEN) return 0;  // cannot happen: the probe's records fit
    const uint8_t *rec = static_cast<const uint8_t *>(data);
    uint32_t len;
    memcpy(&len, rec + 16, sizeof len);
    bool marked = false;
    if (len >= VG_HEADER_LEN && size == size_t(len) + VG_CUT_MASK_LEN) {
      uint32_t n = p->marks_[0];
      p->marks_[1 + 2 * n] = uint32_t(p->used_);
      memcpy(&p->marks_[2 + 2 * n], rec + len, sizeof(uint32_t));
      p->marks_[0] = n + 1;
      size = len;
      marked = true;
    }
    memcpy(p->batch_ + p->used_, data, size);
    p->used_ += size;
    // stop once the batch (or its marks) is full; the record just copied is kept
    return p->used_ >= p->batch_bytes_ || (marked && p->marks_[0] >= kMaxMarks) ? -1 : 0;
  }

  // drain(): copy ready records into the batch buffer; returns the bytes copied
  Napi::Value Drain(const Napi::CallbackInfo &info) {
    if (!rb_) throw Napi::Error::New(info.Env(), "drain failed: probe is closed");
    used_ = 0;
    marks_[0] = 0;
    int n = ring_buffer__consume(rb_);
    if (n < 0 && used_ < batch_bytes_ && marks_[0] < kMaxMarks)
      throw Napi::Error::New(info.Env(), std::string("drain failed: ") + strerror(-n));
    return Napi::Number::New(info.Env(), double(used_));
  }

  // the batch buffer, as one ArrayBuffer over native memory that never moves
  Napi::Value Buffer(const Napi::CallbackInfo &info) { return buffer_ref_.Value(); }

  // the cut marks of the last drain, as u32s: count, then (event offset, cut
  // mask) per event the probe cut, in batch order; never moves either
  Napi::Value Marks(const Napi::CallbackInfo &info) { return marks_ref_.Value(); }

  // setEnabled(Uint8Array(VG_SYSCALL_SLOTS)): 1 = report that syscall number
  Napi::Value SetEnabled(const Napi::CallbackInfo &info) {
    if (!skel_) throw Napi::Error::New(info.Env(), "set syscalls failed: probe is closed");
    Napi::Uint8Array a = info[0].As<Napi::Uint8Array>();
    if (a.ElementLength() != VG_SYSCALL_SLOTS)
      throw Napi::RangeError::New(info.Env(), "set syscalls failed: need one byte per slot");
    int fd = bpf_map__fd(skel_->maps.enabled);
    for (uint32_t i = 0; i < VG_SYSCALL_SLOTS; i++) {
      uint8_t v = a[i] ? 1 : 0;
      if (bpf_map_update_elem(fd, &i, &v, BPF_ANY) != 0)
        throw Napi::Error::New(info.Env(), std::string("set syscalls failed: ") + strerror(errno));
    }
    std::string exit_failed = SetExitHooks(a);
    if (!exit_failed.empty()) throw Napi::Error::New(info.Env(), exit_failed);
    bool want[kEnters], any = false;
    for (size_t i = 0; i < kEnters; i++) any |= want[i] = a[kEnterSyscalls[i]] != 0;
    if (hook_ != EnterHook::kSysEnter) {
      std::string failed;
      for (size_t i = 0; i < kEnters && failed.empty(); i++) {
        if (want[i] && !enter_links_[i]) {
          enter_links_[i] = AttachEnter(i);
          if (!enter_links_[i]) failed = (hook_ == EnterHook::kFentry ? std::string(kEnterFunctions[i])
                                                                       : std::string("sys_enter_") + kEnterNames[i]) +
                                         ": " + strerror(errno);
        } else if (!want[i] && enter_links_[i]) {
          bpf_link__destroy(enter_links_[i]);
          enter_links_[i] = nullptr;
        }
      }
      if (failed.empty()) return info.Env().Undefined();
      // only the loaded programs can attach: the sys_enter hook from now on
      DetachEnters();
      std::string why = std::string(hook_ == EnterHook::kFentry ? "fentry" : "the tracepoints") + " did not attach (" + failed + ")";
      fallback_ = fallback_.empty() ? why : fallback_ + "; " + why;
      hook_ = EnterHook::kSysEnter;
    }
    if (any && !enter_link_) {
      g_libbpf_log.clear();
      enter_link_ = bpf_program__attach(skel_->progs.vigil_sys_enter);
      if (!enter_link_) {
        int e = errno;
        throw Napi::Error::New(info.Env(), std::string("attach sys_enter failed: ") + strerror(e) + "; " + g_libbpf_log);
      }
    } else if (!any && enter_link_) {
      bpf_link__destroy(enter_link_);
      enter_link_ = nullptr;
    }
    return info.Env().Undefined();
  }

  // enterAttached(): whether any enter program is attached now
  Napi::Value EnterAttached(const Napi::CallbackInfo &info) {
    return Napi::Boolean::New(info.Env(), EnterModeName()[0] != 'n');
  }

  // enterMode(): how enter events are hooked now: "fentry" or "tracepoint"
  // (per syscall), "sys_enter" (the every-syscall tracepoint) or "none"
  Napi::Value EnterMode(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), EnterModeName());
  }

  // enterFallback(): why enters are not hooked by fentry (and, under sys_enter,
  // not by the per-syscall tracepoints either), or "" under fentry
  Napi::Value EnterFallback(const Napi::CallbackInfo &info) {
    return Napi::String::New(info.Env(), fallback_);
  }

  // exitHooks(): { mode: 'tracepoint' (one per enabled syscall) | 'sys_exit'
  // (the generic program for every syscall), ia32: whether the generic program
  // also runs for ia32 syscalls, why: the reason for either, attached: the
  // per-syscall exit tracepoints attached now, generic: whether the generic
  // program is attached now, allGeneric: under 'tracepoint', whether the
  // generic program reports every exit because it must run anyway }
  Napi::Value ExitHooks(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("mode", exit_hook_ == ExitHook::kTracepoint ? "tracepoint" : "sys_exit");
    o.Set("ia32", skel_ && skel_->bss->generic_ia32 != 0);
    o.Set("why", exit_why_);
    uint32_t n = 0;
    for (auto *l : exit_links_) n += l != nullptr;
    o.Set("attached", n);
    o.Set("generic", generic_exit_link_ != nullptr);
    o.Set("allGeneric", all_generic_);
    // enabled syscalls the generic program reports because they have no tracepoint of their own, by number
    Napi::Array g = Napi::Array::New(env);
    if (skel_)
      for (uint32_t nr = 0; nr < VG_SYSCALL_SLOTS; nr++)
        if ((skel_->bss->generic_nr[nr / 64] >> (nr & 63)) & 1 && (exit_tp_ids_.empty() || exit_tp_ids_[nr] < 0)) g.Set(g.Length(), nr);
    o.Set("genericSyscalls", g);
    return o;
  }

  const char *EnterModeName() {
    if (enter_link_) return "sys_enter";
    for (auto *l : enter_links_)
      if (l) return hook_ == EnterHook::kFentry ? "fentry" : "tracepoint";
    return "none";
  }

  // stats(): Float64Array [seen, dropped, truncated, ia32_unhandled] per
  // category, summed over CPUs
  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!skel_) throw Napi::Error::New(env, "stats failed: probe is closed");
    auto out = Napi::Float64Array::New(env, VG_CAT_COUNT * 4);
    std::vector<vg_counters> per_cpu(ncpu_);
    int fd = bpf_map__fd(skel_->maps.stats);
    for (uint32_t c = 0; c < VG_CAT_COUNT; c++) {
      if (bpf_map_lookup_elem(fd, &c, per_cpu.data()) != 0)
        throw Napi::Error::New(env, std::string("stats failed: ") + strerror(errno));
      double seen = 0, dropped = 0, truncated = 0, ia32 = 0;
      for (auto &v : per_cpu) {
        seen += double(v.seen);
        dropped += double(v.dropped);
        truncated += double(v.truncated);
        ia32 += double(v.ia32_unhandled);
      }
      out[c * 4] = seen;
      out[c * 4 + 1] = dropped;
      out[c * 4 + 2] = truncated;
      out[c * 4 + 3] = ia32;
    }
    return out;
  }

  // enableRunStats(): have the kernel count runs and run time of every BPF
  // program (BPF_ENABLE_STATS) until this probe is closed; for benchmarks
  Napi::Value EnableRunStats(const Napi::CallbackInfo &info) {
    if (!skel_) throw Napi::Error::New(info.Env(), "enable run stats failed: probe is closed");
    if (stats_fd_ < 0) {
      stats_fd_ = bpf_enable_stats(BPF_STATS_RUN_TIME);
      if (stats_fd_ < 0)
        throw Napi::Error::New(info.Env(), std::string("enable run stats failed: ") + strerror(errno));
    }
    return info.Env().Undefined();
  }

  // runStats(): Float64Array [runs, run ns] of the syscall-exit program, then
  // of the process hooks (exec, fork, exit) together, then of the enter
  // programs together, fentry, tracepoint and sys_enter (counts stay while detached)
  Napi::Value RunStats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!skel_) throw Napi::Error::New(env, "run stats failed: probe is closed");
    auto out = Napi::Float64Array::New(env, 6);
    // (program, where its counts go): 0 the exit, 2 the process hooks, 4 the enters
    std::vector<std::pair<struct bpf_program *, size_t>> progs = {
        {skel_->progs.vigil_sys_exit, 0}, {skel_->progs.vigil_tp_exit, 0}, {skel_->progs.vigil_exec, 2}, {skel_->progs.vigil_fork, 2},
        {skel_->progs.vigil_exit, 2}, {skel_->progs.vigil_sys_enter, 4}};
    for (size_t i = 0; i < kEnters; i++) {
      progs.push_back({FentryProgram(i), 4});
      progs.push_back({TracepointProgram(i), 4});
    }
    for (auto [prog, at] : progs) {
      if (bpf_program__fd(prog) < 0) continue;  // an enter program of another hook, not loaded
      struct bpf_prog_info pi;
      memset(&pi, 0, sizeof pi);
      __u32 len = sizeof pi;
      if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pi, &len) != 0)
        throw Napi::Error::New(env, std::string("run stats failed: ") + strerror(errno));
      out[at] = out[at] + double(pi.run_cnt);
      out[at + 1] = out[at + 1] + double(pi.run_time_ns);
    }
    return out;
  }

  // watch(callback): start the watcher thread; callback() runs on the JS
  // thread when records are ready, after which JS drains and calls arm()
  Napi::Value Watch(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!rb_) throw Napi::Error::New(env, "watch failed: probe is closed");
    if (watcher_.joinable()) throw Napi::Error::New(env, "watch failed: already watching");
    tsfn_ = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "vigil-capture", 0, 1);
    armed_ = true;
    stopping_ = false;
    int epfd = ring_buffer__epoll_fd(rb_);
    watcher_ = std::thread([this, epfd] {
      auto last_wake = std::chrono::steady_clock::now() - kCoalesce;
      while (true) {
        {
          std::unique_lock<std::mutex> lk(mu_);
          cv_.wait(lk, [this] { return armed_ || stopping_; });
          if (stopping_) return;
          auto since = std::chrono::steady_clock::now() - last_wake;
          if (since < kCoalesce) {
            cv_.wait_for(lk, kCoalesce - since, [this] { return stopping_.load(); });
            if (stopping_) return;
          }
        }
        struct epoll_event ev;
        int n = epoll_wait(epfd, &ev, 1, 100);
        if (stopping_) return;
        if (n > 0) {
          {
            std::lock_guard<std::mutex> lk(mu_);
            armed_ = false;
          }
          last_wake = std::chrono::steady_clock::now();
          if (tsfn_.NonBlockingCall() != napi_ok) return;
        }
      }
    });
    return env.Undefined();
  }

  Napi::Value Arm(const Napi::CallbackInfo &info) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      armed_ = true;
    }
    cv_.notify_one();
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    Shutdown();
    return info.Env().Undefined();
  }

  void StopWatcher() {
    if (!watcher_.joinable()) return;
    {
      std::lock_guard<std::mutex> lk(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    watcher_.join();
    tsfn_.Release();
  }

  // safe on partly built state and when called more than once
  void Shutdown() {
    StopWatcher();
    if (stats_fd_ >= 0) {
      close(stats_fd_);
      stats_fd_ = -1;
    }
    DetachEnters();
    DetachExits();
    if (rb_) {
      ring_buffer__free(rb_);
      rb_ = nullptr;
    }
    if (skel_) {
      vigil__destroy(skel_);
      skel_ = nullptr;
    }
  }

  static void CleanupHook(void *arg) {
    Probe *p = static_cast<Probe *>(arg);
    p->hooked_ = false;
    p->Shutdown();
  }

  struct vigil *skel_ = nullptr;
  struct ring_buffer *rb_ = nullptr;
  struct bpf_link *enter_link_ = nullptr;  // the sys_enter program, while attached
  struct bpf_link *enter_links_[kEnters] = {};  // each fentry or tracepoint program, while attached
  std::vector<uint8_t> object_bytes_;  // a probe artifact's object, or empty: the one built in
  std::string btf_path_;  // BTF to relocate against, or "": the running kernel's
  ExitHook exit_hook_ = ExitHook::kTracepoint;  // how native syscall exits are hooked
  bool all_generic_ = false;  // under kTracepoint: the generic program runs anyway, so it reports every exit
  bool ia32_hook_ = false;  // under kTracepoint: the generic program also runs, for ia32 syscalls
  std::string exit_why_;  // why the generic exit program is used, or not used, for ia32 or everything
  std::vector<int> exit_tp_ids_;  // syscalls/sys_exit_<name> id by syscall number, -1 none
  struct bpf_link *exit_links_[VG_SYSCALL_SLOTS] = {};  // the per-syscall exit tracepoints attached
  struct bpf_link *generic_exit_link_ = nullptr;  // the generic sys_exit program, while attached
  EnterHook hook_ = EnterHook::kFentry;  // how enters are hooked (their programs the only ones loaded)
  int tp_ids_[kEnters] = {};  // the per-syscall tracepoints' ids, under kTracepoint
  std::string fallback_;  // why enters are not hooked by fentry; "" = fentry
  uint8_t *batch_ = nullptr;  // owned by buffer_ref_'s ArrayBuffer
  uint32_t *marks_ = nullptr;  // owned by marks_ref_'s ArrayBuffer
  napi_env env_ = nullptr;
  size_t batch_bytes_ = 0;
  size_t used_ = 0;
  int ncpu_ = 0;
  int stats_fd_ = -1;  // BPF_ENABLE_STATS while open
  bool hooked_ = false;
  Napi::Reference<Napi::ArrayBuffer> buffer_ref_;
  Napi::Reference<Napi::ArrayBuffer> marks_ref_;
  Napi::ThreadSafeFunction tsfn_;
  std::thread watcher_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool armed_ = false;
  std::atomic<bool> stopping_{false};
};

// The facts of the wire layout and the probe's tables that TypeScript also
// holds; src/sources/syscall/probeLayout.ts compares the two at load.
Napi::Object Layout(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("headerLen", Napi::Number::New(env, VG_HEADER_LEN));
  o.Set("maxParams", Napi::Number::New(env, VG_MAX_PARAMS));
  o.Set("cutMaskLen", Napi::Number::New(env, VG_CUT_MASK_LEN));
  o.Set("maxSnaplen", Napi::Number::New(env, VG_MAX_SNAPLEN));
  o.Set("syscallSlots", Napi::Number::New(env, VG_SYSCALL_SLOTS));
  o.Set("procexitSlot", Napi::Number::New(env, VG_SLOT_PROCEXIT));
  o.Set("procexitEvent", Napi::Number::New(env, VG_PROCEXIT_E));
  o.Set("categories", Napi::Number::New(env, VG_CAT_COUNT));
  o.Set("maxMarks", Napi::Number::New(env, kMaxMarks));
  std::vector<vg_spec_fact> exits(VG_SYSCALL_SLOTS), enters(VG_ENTER_COUNT);
  vg_spec_table(exits.data(), enters.data());
  // [syscall number, event code, parameter count (-1: a filler of its own)] per reported syscall
  Napi::Array ex = Napi::Array::New(env);
  for (uint32_t nr = 0; nr < VG_SYSCALL_SLOTS; nr++) {
    if (!exits[nr].event) continue;
    Napi::Array e = Napi::Array::New(env, 3);
    e.Set(0u, nr);
    e.Set(1u, uint32_t(exits[nr].event));
    e.Set(2u, exits[nr].nparams == 0xff ? -1 : int(exits[nr].nparams));
    ex.Set(ex.Length(), e);
  }
  o.Set("exitSpecs", ex);
  Napi::Array en = Napi::Array::New(env);
  for (size_t i = 0; i < kEnters; i++) {
    Napi::Array e = Napi::Array::New(env, 3);
    e.Set(0u, kEnterSyscalls[i]);
    e.Set(1u, uint32_t(enters[i].event));
    e.Set(2u, uint32_t(enters[i].nparams));
    en.Set(uint32_t(i), e);
  }
  o.Set("enterSpecs", en);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Probe", Probe::Init(env));
  exports.Set("layout", Layout(env));
  // the probe object built in, for its checksum (vigil --probe-info, probe artifacts' manifests)
  size_t object_size = 0;
  const void *object = vigil__elf_bytes(&object_size);
  exports.Set("builtinObject", Napi::Buffer<uint8_t>::Copy(env, static_cast<const uint8_t *>(object), object_size));
  return exports;
}

}  // namespace

NODE_API_MODULE(vigil_addon, Init)
