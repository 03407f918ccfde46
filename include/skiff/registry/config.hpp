#pragma once
// The containers ecosystem's registry configuration, read the way Podman reads it (paths and
// precedence: ../shared/reference/conventions-research.md §5):
//   - registries.conf v2 and its .d drop-ins: search registries, short-name mode and aliases,
//     [[registry]] prefix/location/insecure/blocked/mirrors;
//   - short-name resolution (aliases, then unqualified-search registries);
//   - auth.json (and Docker's config.json) lookup, credential helpers, and writing for `login`;
//   - certs.d directories with CA certificates and client key pairs.
// Everything takes a ConfigEnv so tests can point every path at a temporary directory.

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/reference.hpp"
#include "skiff/util/result.hpp"

namespace skiff::registry {

/// The environment config files are found through, captured once.
struct ConfigEnv {
  std::string home;                ///< $HOME
  std::string xdg_config_home;     ///< $XDG_CONFIG_HOME, or ~/.config
  std::string xdg_runtime_dir;     ///< $XDG_RUNTIME_DIR ("" when unset)
  std::string registries_conf;     ///< $CONTAINERS_REGISTRIES_CONF (or legacy $REGISTRIES_CONFIG_PATH)
  std::string registry_auth_file;  ///< $REGISTRY_AUTH_FILE
  std::string docker_config;       ///< $DOCKER_CONFIG
  std::string sysroot;             ///< prefix for /etc, /run and /var paths ("" normally; tests)
  uid_t uid = 0;

  /// Reads the variables above from this process (home falls back to the passwd entry).
  static ConfigEnv from_process();
  /// sysroot + an absolute system path.
  std::string system_path(std::string_view abs) const { return sysroot + std::string(abs); }
};

// ---------------------------------------------------------------------------------------
// registries.conf
// ---------------------------------------------------------------------------------------

/// short-name-mode: what to do when a short name has several candidate registries.
enum class ShortNameMode {
  kPermissive,  ///< prompt on a TTY, otherwise try every candidate (the default)
  kEnforcing,   ///< prompt on a TTY, otherwise fail
  kDisabled,    ///< try every candidate without prompting
};

/// pull-from-mirror: which references a mirror serves.
enum class PullFromMirror { kAll, kDigestOnly, kTagOnly };

/// One [[registry.mirror]] table.
struct Mirror {
  std::string location;
  bool insecure = false;
  PullFromMirror pull_from_mirror = PullFromMirror::kAll;
};

/// One [[registry]] table, validated and normalised (prefix defaults to location).
struct RegistryEntry {
  std::string prefix;    ///< "example.com/foo", "docker.io/library", or "*.example.com"
  std::string location;  ///< where the prefix's namespace really lives ("" only for "*." prefixes)
  bool insecure = false; ///< allow plain HTTP and unverified TLS
  bool blocked = false;  ///< refuse pulls
  bool mirror_by_digest_only = false;
  std::vector<Mirror> mirrors;  ///< tried in order before location
  std::string origin;           ///< the file that defined it
};

/// An [aliases] entry and the file that defined it.
struct Alias {
  std::string value;   ///< fully qualified name without tag or digest
  std::string origin;
};

/// The merged registries configuration.
struct RegistriesConf {
  std::vector<std::string> search_registries;  ///< unqualified-search-registries, in order
  std::string search_origin;   ///< the file that set search_registries ("" = none did)
  ShortNameMode short_name_mode = ShortNameMode::kPermissive;
  std::map<std::string, Alias> aliases;        ///< short name → alias
  std::vector<RegistryEntry> registries;
  std::vector<std::string> credential_helpers{"containers-auth.json"};
  std::vector<std::string> files;  ///< every file read, in the order read

  /// The [[registry]] whose prefix matches `name` ("docker.io/library/busybox", or a full
  /// reference string) with the longest prefix; "*.example.com" matches any subdomain.
  /// nullptr if none.
  const RegistryEntry* find_registry(std::string_view name) const;
};

/// Loads registries.conf as Podman does: $CONTAINERS_REGISTRIES_CONF if set (it must exist);
/// else $XDG_CONFIG_HOME/containers/registries.conf if it exists; else
/// /etc/containers/registries.conf (missing is fine). Then drop-ins (*.conf, in name order):
/// /etc/containers/registries.conf.d unless the user file was used, then
/// $XDG_CONFIG_HOME/containers/registries.conf.d. A later file replaces
/// unqualified-search-registries, short-name-mode and credential-helpers when it sets them,
/// replaces [[registry]] tables with the same prefix, and adds or ("" value) erases aliases.
/// The rootless short-name alias cache (~/.cache/containers/short-name-aliases.conf, or
/// /var/cache/… for root) is read last and wins. Errors name the file and line:
/// "`/etc/containers/registries.conf` line 7: [[registry]] insecure must be a boolean".
Result<RegistriesConf> load_registries_conf(const ConfigEnv& env);

/// Parses one file's text and merges it into `conf` (what load_registries_conf does per file).
/// `drop_in` refuses the v1 format. Run validate_registries_conf() after the last file.
Status merge_registries_conf(RegistriesConf& conf, const std::string& text, const std::string& name,
                             bool drop_in);

/// Checks the merged result (a location defined twice with different insecure/blocked).
Status validate_registries_conf(const RegistriesConf& conf);

/// A place to pull a reference from: a mirror or the primary location, with the reference
/// rewritten for it.
struct PullSource {
  oci::Reference ref;     ///< the rewritten reference; its domain is the registry to contact
  bool insecure = false;  ///< HTTP and unverified TLS allowed for this endpoint
  bool mirror = false;    ///< a mirror (not the primary location)
};

/// The endpoints to try for `ref`, in order: the matching [[registry]]'s mirrors (those that
/// serve this kind of reference: mirror-by-digest-only, pull-from-mirror), then its location.
/// With no matching [[registry]], just `ref` itself. A blocked registry is EACCES:
/// "registry docker.io/library/busybox is blocked in `/etc/containers/registries.conf`".
Result<std::vector<PullSource>> pull_sources(const RegistriesConf& conf, const oci::Reference& ref);

/// True if the [[registry]] matching `host_port` (a bare registry name) says insecure.
bool registry_insecure(const RegistriesConf& conf, std::string_view host_port);

/// The outcome of short-name resolution.
struct ShortNameResolution {
  std::vector<oci::Reference> candidates;  ///< fully qualified, with tag (default "latest") or digest
  /// What Podman prints before pulling (empty when there is nothing to say):
  /// `Resolving "busybox" using unqualified-search registries (/etc/containers/registries.conf)`
  /// or `Resolved "fedora" as an alias (/etc/containers/registries.conf.d/shortnames.conf)`.
  std::string description;
  bool from_alias = false;
  /// Enforcing/permissive mode with several candidates and a terminal: the caller should let
  /// the user pick one, then record it with record_short_name_alias().
  bool prompt = false;
};

/// Resolves `ref` as Podman does. A fully qualified reference is its own single candidate.
/// A short name uses its alias if there is one (keeping the tag or digest), else every
/// unqualified-search registry in order. When no registries.conf defines search registries,
/// the short name means Docker Hub (Docker's behaviour) and there is no description.
/// `interactive` says whether a prompt is possible (stdin and stdout are terminals); in
/// enforcing mode several candidates without a terminal are an error.
Result<ShortNameResolution> resolve_short_name(const RegistriesConf& conf, const oci::Reference& ref,
                                               bool interactive = false);

/// The short-name alias cache file for this user.
std::string short_name_alias_cache(const ConfigEnv& env);

/// Records `name` → `value` (no tag or digest) in the alias cache, keeping other entries.
Status record_short_name_alias(const ConfigEnv& env, std::string_view name, const oci::Reference& value);

// ---------------------------------------------------------------------------------------
// auth.json
// ---------------------------------------------------------------------------------------

/// Registry credentials. An identity token (Docker's OAuth2 refresh token) may replace the
/// password.
struct Credentials {
  std::string username;
  std::string password;
  std::string identity_token;
  bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

/// Parses `--creds USER[:PASSWORD]` (an empty username is an error; a missing password is
/// left empty for the caller to prompt for).
Result<Credentials> parse_creds(std::string_view s);

/// One credentials file and whether it has the legacy ~/.dockercfg shape (no "auths").
struct AuthFile {
  std::string path;
  bool legacy = false;
};

/// The read/write file: `authfile` (from --authfile) if given, else $REGISTRY_AUTH_FILE, else
/// $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/$UID/auth.json.
std::string primary_auth_file(const ConfigEnv& env, std::string_view authfile = "");

/// The files searched, in order: the primary file; and unless a file was named explicitly,
/// $XDG_CONFIG_HOME/containers/auth.json, $DOCKER_CONFIG/config.json (or
/// ~/.docker/config.json), and ~/.dockercfg.
std::vector<AuthFile> auth_file_search_path(const ConfigEnv& env, std::string_view authfile = "");

/// Credentials found for a repository, and where.
struct FoundCredentials {
  Credentials creds;
  std::string file;  ///< the file, or "docker-credential-<helper>"
  std::string key;   ///< the auths key that matched
};

/// Looks up credentials for `registry` ("docker.io", "localhost:5000") and repository `path`
/// ("library/busybox"). In each file (first file with a match wins): credHelpers[registry],
/// then auths keys from most to least specific ("reg/ns/repo", "reg/ns", "reg"), then keys
/// normalised from URLs ("https://index.docker.io/v1/" counts as docker.io), then credsStore.
/// nullopt when nothing matches. A malformed file is an error naming it.
Result<std::optional<FoundCredentials>> find_credentials(const ConfigEnv& env, std::string_view registry,
                                                         std::string_view path, std::string_view authfile = "");

/// Stores credentials under `key` (a registry, or registry/namespace…) in the primary file
/// (created with mode 0600, its directory 0700), keeping everything else in it.
Status store_credentials(const ConfigEnv& env, std::string_view key, const Credentials& creds,
                         std::string_view authfile = "");

/// Removes every auths entry of the primary file (logout --all).
Status remove_all_credentials(const ConfigEnv& env, std::string_view authfile = "");

/// Stores and removals go through the credential helper the primary file names for the
/// registry (credHelpers, else credsStore: `docker-credential-<name> store|erase`, as Docker
/// runs them) when it names one.
/// Removes `key` from the primary file; false if it was not there.
Result<bool> remove_credentials(const ConfigEnv& env, std::string_view key, std::string_view authfile = "");

// ---------------------------------------------------------------------------------------
// certs.d
// ---------------------------------------------------------------------------------------

/// The TLS material for one registry.
struct CertsDir {
  std::string dir;                        ///< the directory used ("" when none exists)
  std::vector<std::string> ca_files;      ///< *.crt, sorted
  std::string client_cert, client_key;    ///< the first *.cert / *.key pair, sorted by name
};

/// Finds the certs directory for `host_port` ("my-registry.com:5000"): `cert_dir` if given
/// (--cert-dir), else the first existing of ~/.config/containers/certs.d/<host_port>,
/// /etc/containers/certs.d/<host_port>, /etc/docker/certs.d/<host_port>. A *.cert without its
/// *.key (or the reverse) is an error naming both files.
Result<CertsDir> find_certs(const ConfigEnv& env, std::string_view host_port, std::string_view cert_dir = "");

}  // namespace skiff::registry
