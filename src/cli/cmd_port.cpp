// port / container port: Docker's lines for a container's published ports.
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

Result<int> cmd_port(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  const std::string& ref = a.positional[0];
  auto c = engine::find_container(*e, ref);
  if (!c) {
    print_error(c.error(), "");
    return 1;
  }
  Json ports = engine::published_ports(*e, *c);
  std::string key;
  if (a.positional.size() > 1) {
    // docker/cli: PORT[/PROTO], tcp by default; the port must be a number.
    const std::string& want = a.positional[1];
    auto [port, proto] = split_once(want, '/');
    uint16_t p;
    std::string pr;
    if (!network::split_port_key(port, p, pr)) {
      print_error(Error{kInvalid, fmt::format("invalid port ({}): strconv.ParseUint: parsing {}: invalid syntax",
                                              port, go_quote(port))},
                  "");
      return 1;
    }
    key = network::port_key(p, proto && !proto->empty() ? *proto : "tcp");
    auto lines = network::port_lines(ports, key);
    if (lines.empty()) {
      print_error(Error{kNotFound, fmt::format("No public port '{}' published for {}", want, ref)}, "");
      return 1;
    }
    out(join(lines, "\n") + "\n");
    return 0;
  }
  auto lines = network::port_lines(ports);
  if (!lines.empty()) out(join(lines, "\n") + "\n");
  return 0;
}

}  // namespace skiff::cli
