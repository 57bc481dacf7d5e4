// Datagrams to a unix socket, for syslog_output: /dev/log is a SOCK_DGRAM
// socket and Node has no unix datagram sockets. A separate, tiny addon (no
// libbpf): the syslog channel must not depend on the probe loading.
//
// send() never blocks (MSG_DONTWAIT): it answers 0 or an errno, and the
// TypeScript side decides to retry (EAGAIN: the reader is behind), reconnect
// (ECONNREFUSED, ENOTCONN: the daemon restarted) or count a failure.
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <string>

namespace {

class UnixDatagram : public Napi::ObjectWrap<UnixDatagram> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "UnixDatagram",
                       {InstanceMethod("connect", &UnixDatagram::Connect),
                        InstanceMethod("send", &UnixDatagram::Send),
                        InstanceMethod("close", &UnixDatagram::Close)});
  }

  explicit UnixDatagram(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UnixDatagram>(info) {}
  ~UnixDatagram() override { CloseFd(); }

 private:
  // connect(path): 0 or an errno; the path must fit sockaddr_un
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    CloseFd();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) return Napi::Number::New(env, ENAMETOOLONG);
    memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Napi::Number::New(env, errno);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) < 0) {
      int err = errno;
      close(fd);
      return Napi::Number::New(env, err);
    }
    fd_ = fd;
    return Napi::Number::New(env, 0);
  }

  // send(buffer): 0 or an errno (ENOTCONN when not connected)
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0) return Napi::Number::New(env, ENOTCONN);
    auto buf = info[0].As<Napi::Buffer<char>>();
    ssize_t n = send(fd_, buf.Data(), buf.Length(), MSG_DONTWAIT | MSG_NOSIGNAL);
    return Napi::Number::New(env, n < 0 ? errno : 0);
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    CloseFd();
    return info.Env().Undefined();
  }

  void CloseFd() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  int fd_ = -1;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("UnixDatagram", UnixDatagram::Init(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(vigil_unix_datagram, Init)
