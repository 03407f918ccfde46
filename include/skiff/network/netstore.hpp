#pragma once
// User networks: records and IPv4 address arithmetic.
//
// Store layout (under the graph root): networks/<name>.json, one record per network, written
// atomically (temporary file, fsync, rename, fsync of the directory) while networks/.lock is
// held (flock, exclusive) for every change, so two creates never pick the same subnet and a
// killed command leaves either the old record or the new one. Readers do not lock. A
// container's membership (address, aliases) is recorded in the container's own record; the
// network record holds only what `network create` said.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

/// An IPv4 prefix.
struct Subnet {
  uint32_t addr = 0;  ///< host order, masked
  int bits = 0;
  std::string str() const;  ///< "10.89.0.0/24"
  uint32_t mask() const { return bits == 0 ? 0 : ~uint32_t(0) << (32 - bits); }
  bool contains(uint32_t ip) const { return (ip & mask()) == addr; }
};
std::optional<uint32_t> parse_ipv4(std::string_view s);
std::string ipv4_str(uint32_t ip);
/// "10.89.0.0/24" (host bits must be zero, prefix 8–30). kInvalid naming the value otherwise.
Result<Subnet> parse_subnet(std::string_view s);
bool overlaps(const Subnet& a, const Subnet& b);
/// The first /24 of 10.89.0.0/16 … 10.255.255.0/24 overlapping none of `used`.
Result<Subnet> free_subnet(const std::vector<Subnet>& used);
/// The lowest host address of `s` other than the gateway, the network and broadcast addresses
/// and `used`; kConflict when the subnet is full.
Result<uint32_t> free_address(const Subnet& s, uint32_t gateway, const std::vector<uint32_t>& used);

/// Networks every store has, which cannot be created or removed (Docker's).
bool is_predefined(std::string_view name);

/// A network record.
struct Network {
  std::string name;
  std::string id;  ///< 64 hex
  std::string driver = "bridge";
  Subnet subnet;
  uint32_t gateway = 0;
  bool internal = false;
  int64_t created = 0;  ///< ns since the epoch
  Json labels = Json::object();
  Json options = Json::object();
  bool predefined = false;
};
Json network_to_record(const Network& n);
Result<Network> network_from_record(const Json& j);
/// The three predefined networks (bridge, host, none), with stable IDs.
std::vector<Network> predefined_networks();

/// What `network create` asks for.
struct CreateRequest {
  std::string name, driver = "bridge", subnet, gateway;
  bool internal = false;
  Json labels = Json::object(), options = Json::object();
};

/// The store of user networks in `dir` (<graph>/networks).
class NetStore {
 public:
  explicit NetStore(std::string dir) : dir_(std::move(dir)) {}
  /// Every network, predefined first then by name.
  Result<std::vector<Network>> list() const;
  /// By full name, full ID or unique ID prefix. kNotFound "network NAME not found".
  Result<Network> find(std::string_view ref) const;
  /// Creates (exclusive lock held); kConflict for a taken name or an overlapping subnet.
  Result<Network> create(const CreateRequest& req);
  /// Removes the record (the caller checked it is unused, under lock()).
  Status remove(const std::string& name);
  /// The exclusive store lock (create, remove, address allocation).
  Result<FileLock> lock() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

/// Checks a network name as Docker does ([a-zA-Z0-9][a-zA-Z0-9_.-]*).
Status validate_network_name(std::string_view name);

}  // namespace skiff::network
