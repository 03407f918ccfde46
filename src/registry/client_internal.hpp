#pragma once
// Private state of registry::Client, shared by client.cpp and auth_flow.cpp.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/registry/client.hpp"

namespace skiff::registry {

/// What the client knows about one registry after pinging it.
struct Client::Registry {
  std::string name;      ///< as in references: "docker.io", "127.0.0.1:5000"
  std::string host;      ///< what we connect to: "registry-1.docker.io"
  std::string base;      ///< "https://host" or "http://host"
  TlsSettings tls;
  bool insecure = false;
  std::optional<Challenge> challenge;                        ///< how it authenticates
  std::map<std::string, Token> tokens;                       ///< bearer tokens by scope set
  std::map<std::string, std::optional<Credentials>> creds;   ///< by repository path
};

/// One registry request before authentication is added.
struct Client::Request {
  std::string method = "GET";
  Headers headers;
  std::string repo;                 ///< repository path (selects credentials)
  std::vector<std::string> scopes;  ///< bearer token scopes it needs
  std::string_view body;            ///< sent as is (PUT/PATCH/POST); not owned
};

/// The error for a non-success answer to a manifest or blob request (404 kNotFound, 401/403
/// kAuth, else kNetwork), with the registry's message. Reads the body.
Error answer_error(std::string_view what, std::string_view registry, HttpResponse& resp);

}  // namespace skiff::registry
