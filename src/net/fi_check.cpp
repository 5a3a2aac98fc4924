#include "net/fi_check.hpp"

#include <rdma/fi_errno.h>

#include <cstdlib>

namespace ds::net {

std::string fi_code_name(int code) {
  switch (std::abs(code)) {
    case 0:
      return "FI_SUCCESS";
    case FI_E2BIG:
      return "FI_E2BIG";
    case FI_EACCES:
      return "FI_EACCES";
    case FI_EADDRINUSE:
      return "FI_EADDRINUSE";
    case FI_EADDRNOTAVAIL:
      return "FI_EADDRNOTAVAIL";
    case FI_EAGAIN:
      return "FI_EAGAIN";
    case FI_EALREADY:
      return "FI_EALREADY";
    case FI_EAVAIL:
      return "FI_EAVAIL";
    case FI_EBADF:
      return "FI_EBADF";
    case FI_EBADFLAGS:
      return "FI_EBADFLAGS";
    case FI_EBUSY:
      return "FI_EBUSY";
    case FI_ECANCELED:
      return "FI_ECANCELED";
    case FI_ECONNABORTED:
      return "FI_ECONNABORTED";
    case FI_ECONNREFUSED:
      return "FI_ECONNREFUSED";
    case FI_ECONNRESET:
      return "FI_ECONNRESET";
    case FI_ECRC:
      return "FI_ECRC";
    case FI_EDOMAIN:
      return "FI_EDOMAIN";
    case FI_EFAULT:
      return "FI_EFAULT";
    case FI_EHOSTDOWN:
      return "FI_EHOSTDOWN";
    case FI_EHOSTUNREACH:
      return "FI_EHOSTUNREACH";
    case FI_EINPROGRESS:
      return "FI_EINPROGRESS";
    case FI_EINTR:
      return "FI_EINTR";
    case FI_EINVAL:
      return "FI_EINVAL";
    case FI_EIO:
      return "FI_EIO";
    case FI_EISCONN:
      return "FI_EISCONN";
    case FI_EKEYREJECTED:
      return "FI_EKEYREJECTED";
    case FI_EMFILE:
      return "FI_EMFILE";
    case FI_EMSGSIZE:
      return "FI_EMSGSIZE";
    case FI_ENETDOWN:
      return "FI_ENETDOWN";
    case FI_ENETUNREACH:
      return "FI_ENETUNREACH";
    case FI_ENOAV:
      return "FI_ENOAV";
    case FI_ENOBUFS:
      return "FI_ENOBUFS";
    case FI_ENOCQ:
      return "FI_ENOCQ";
    case FI_ENODATA:
      return "FI_ENODATA";
    case FI_ENODEV:
      return "FI_ENODEV";
    case FI_ENOENT:
      return "FI_ENOENT";
    case FI_ENOEQ:
      return "FI_ENOEQ";
    case FI_ENOKEY:
      return "FI_ENOKEY";
    case FI_ENOMEM:
      return "FI_ENOMEM";
    case FI_ENOMSG:
      return "FI_ENOMSG";
    case FI_ENOPROTOOPT:
      return "FI_ENOPROTOOPT";
    case FI_ENORX:
      return "FI_ENORX";
    case FI_ENOSPC:
      return "FI_ENOSPC";
    case FI_ENOSYS:
      return "FI_ENOSYS";
    case FI_ENOTCONN:
      return "FI_ENOTCONN";
    case FI_EOPBADSTATE:
      return "FI_EOPBADSTATE";
    case FI_EOPNOTSUPP:
      return "FI_EOPNOTSUPP";
    case FI_EOTHER:
      return "FI_EOTHER";
    case FI_EOVERFLOW:
      return "FI_EOVERFLOW";
    case FI_EOVERRUN:
      return "FI_EOVERRUN";
    case FI_EPERM:
      return "FI_EPERM";
    case FI_EREMOTEIO:
      return "FI_EREMOTEIO";
    case FI_ESHUTDOWN:
      return "FI_ESHUTDOWN";
    case FI_ETIMEDOUT:
      return "FI_ETIMEDOUT";
    case FI_ETOOSMALL:
      return "FI_ETOOSMALL";
    case FI_ETRUNC:
      return "FI_ETRUNC";
    default:
      return "FI_E" + std::to_string(std::abs(code));
  }
}

net_error fi_error(long code, std::string_view call_text, std::string_view provider,
                   const char* file, int line, int peer, std::uint64_t tag,
                   std::string_view detail) {
  auto call = call_text.substr(0, call_text.find('('));
  while (!call.empty() && call.back() == ' ')
    call.remove_suffix(1);
  std::string_view where{file};
  while (where.starts_with("../"))
    where.remove_prefix(3);
  auto context = std::string("provider ") + std::string(provider);
  if (auto peer_tag = describe_peer_tag(peer, tag); !peer_tag.empty())
    context += ", " + peer_tag;
  auto value = static_cast<int>(code);
  auto text = std::string(call) + " (" + context + "): " + (value < 0 ? "-" : "")
              + fi_code_name(value) + " " + fi_strerror(std::abs(value));
  if (!detail.empty())
    text += " (" + std::string(detail) + ")";
  text += " at " + std::string(where) + ":" + std::to_string(line);
  return net_error(net_errc::fabric, std::move(text), peer, tag, value < 0 ? value : -value);
}

long fi_check(long code, std::string_view call_text, std::string_view provider, const char* file,
              int line) {
  if (code < 0)
    throw fi_error(code, call_text, provider, file, line);
  return code;
}

} // namespace ds::net
