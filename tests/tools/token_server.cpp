// token_server: a small Docker-style token issuer for the fixture registry (tests only).
//
// It speaks the "Docker Registry v2 authentication via central service" protocol, as Docker Hub's
// auth.docker.io does:
//   GET  /token?service=S&scope=repository:NAME:pull,push[&scope=...][&account=U][&offline_token=true]
//        with optional HTTP Basic credentials  -> {"token","access_token","expires_in","issued_at"[,"refresh_token"]}
//   POST /token  (OAuth2 form: grant_type=password with username/password, or
//        grant_type=refresh_token with refresh_token; service, scope, access_type=offline)
//                                              -> {"access_token","expires_in","issued_at","scope"[,"refresh_token"]}
// Tokens are RS256 JWTs whose header carries the signing certificate chain in `x5c`; registry 2.8
// verifies that chain against its `auth.token.rootcertbundle` (the test CA) and then checks iss,
// aud (= service), exp/nbf (±60 s leeway) and the `access` claim.
//
// Grants, as Docker Hub does: anonymous requests get `pull` on repositories matching an
// --anonymous-pull pattern and nothing else (a token with an empty access list, so the registry
// answers 401 insufficient_scope); valid credentials get the requested actions their user may
// have (a user declared NAME:PASS:pull is read-only); wrong credentials get 401.
//
// Options:
//   --listen HOST:PORT     (PORT 0 picks a free one)     --port-file FILE  (written once listening)
//   --tls-cert F --tls-key F                               serve HTTPS (else HTTP)
//   --sign-cert F --sign-key F                             RSA key and its certificate (PEM; the
//                          file may hold the chain, leaf first: every certificate goes into x5c)
//   --issuer S  --service S  --expires SECS (default 300; negative values make expired tokens)
//   --user NAME:PASS[:pull] (repeatable)   --anonymous-pull GLOB (repeatable, e.g. 'public/*')
//   --log FILE             one line per request: method, user, scopes asked, granted, status
#include <fnmatch.h>
#include <signal.h>
#include <unistd.h>

#include <Poco/Crypto/RSAKey.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Random.h>
#include <Poco/SharedPtr.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct User {
  std::string password;
  bool pull_only = false;
};

struct Config {
  std::string listen = "127.0.0.1:0";
  std::string port_file, tls_cert, tls_key, sign_cert, sign_key, log_file;
  std::string issuer = "skiff-token-issuer";
  std::string service = "skiff-registry";
  long expires = 300;
  std::map<std::string, User> users;
  std::vector<std::string> anonymous_pull;
};

struct Scope {
  std::string type, name;
  std::vector<std::string> actions;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// "repository:ns/name:pull,push" (the name may hold a port's colon only in odd cases; the type
// is before the first colon and the actions after the last one, as the spec says).
bool parse_scope(const std::string& s, Scope& out) {
  auto first = s.find(':');
  auto last = s.rfind(':');
  if (first == std::string::npos || last == first) return false;
  out.type = s.substr(0, first);
  out.name = s.substr(first + 1, last - first - 1);
  out.actions = split(s.substr(last + 1), ',');
  return !out.type.empty() && !out.name.empty();
}

// The PEM certificates in a file, as base64 DER strings (what x5c holds).
std::vector<std::string> pem_certs_as_x5c(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string line, cur;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "-----BEGIN CERTIFICATE-----") { inside = true; cur.clear(); continue; }
    if (line == "-----END CERTIFICATE-----") { inside = false; out.push_back(cur); continue; }
    if (inside) cur += line;
  }
  return out;
}

class Issuer {
 public:
  Issuer(Config cfg)
      : cfg_(std::move(cfg)),
        key_(new Poco::Crypto::RSAKey("", cfg_.sign_key)),
        x5c_(pem_certs_as_x5c(cfg_.sign_cert)) {
    if (x5c_.empty()) throw std::runtime_error("no certificate in " + cfg_.sign_cert);
    rng_.seed();
    if (!cfg_.log_file.empty()) log_.open(cfg_.log_file, std::ios::app);
  }

  void handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) {
    Poco::URI uri(req.getURI());
    if (uri.getPath() != "/token") return reply_error(res, 404, "NOT_FOUND", "no such endpoint", "-", "");
    std::string user = "-", scopes_asked, refresh;
    std::vector<std::string> scope_strs;
    bool want_refresh = false, oauth = false;
    std::string service;

    if (req.getMethod() == "GET") {
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "scope") for (auto& s : split(v, ' ')) if (!s.empty()) scope_strs.push_back(s);
        if (k == "service") service = v;
        if (k == "offline_token") want_refresh = v == "true";
      }
      if (req.hasCredentials()) {
        std::string scheme, info;
        req.getCredentials(scheme, info);
        if (Poco::icompare(scheme, "Basic") != 0) return unauthorized(res, "unsupported authorization scheme", user);
        Poco::Net::HTTPBasicCredentials creds(info);
        user = creds.getUsername();
        if (!check_password(user, creds.getPassword())) return unauthorized(res, "incorrect username or password", user);
      }
    } else if (req.getMethod() == "POST") {
      oauth = true;
      Poco::Net::HTMLForm form(req, req.stream());
      for (auto& s : split(form.get("scope", ""), ' ')) if (!s.empty()) scope_strs.push_back(s);
      service = form.get("service", "");
      want_refresh = form.get("access_type", "") == "offline";
      std::string grant = form.get("grant_type", "");
      if (grant == "password") {
        user = form.get("username", "");
        if (!check_password(user, form.get("password", ""))) return unauthorized(res, "incorrect username or password", user);
      } else if (grant == "refresh_token") {
        std::lock_guard lock(mu_);
        auto it = refresh_tokens_.find(form.get("refresh_token", ""));
        if (it == refresh_tokens_.end()) return unauthorized(res, "invalid refresh token", user);
        user = it->second;
      } else {
        return reply_error(res, 400, "UNSUPPORTED", "unsupported grant_type '" + grant + "'", user, "");
      }
    } else {
      return reply_error(res, 405, "UNSUPPORTED", "method not allowed", user, "");
    }
    scopes_asked = join(scope_strs, " ");
    if (!service.empty() && service != cfg_.service)
      return reply_error(res, 400, "DENIED", "unknown service '" + service + "'", user, scopes_asked);

    // Grant what the user may have of what was asked.
    Poco::JSON::Array::Ptr access = new Poco::JSON::Array;
    std::vector<std::string> granted_strs;
    for (const auto& s : scope_strs) {
      Scope sc;
      if (!parse_scope(s, sc)) return reply_error(res, 400, "DENIED", "malformed scope '" + s + "'", user, scopes_asked);
      std::vector<std::string> granted;
      for (const auto& a : sc.actions) if (allowed(user, sc, a)) granted.push_back(a);
      if (granted.empty()) continue;
      Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
      entry->set("type", sc.type);
      entry->set("name", sc.name);
      Poco::JSON::Array::Ptr acts = new Poco::JSON::Array;
      for (const auto& a : granted) acts->add(a);
      entry->set("actions", acts);
      access->add(entry);
      granted_strs.push_back(sc.type + ":" + sc.name + ":" + join(granted, ","));
    }

    Poco::Timestamp now;
    Poco::JWT::Token token;
    token.setType("JWT");
    token.setIssuer(cfg_.issuer);
    token.setSubject(user == "-" ? "" : user);
    token.setAudience(service.empty() ? cfg_.service : service);  // a string: registry 2.8 wants one
    // Whole seconds: registry 2.8 unmarshals the times into int64 (Poco's setters write doubles).
    const Poco::Int64 secs = now.epochTime();
    token.payload().set(Poco::JWT::Token::CLAIM_ISSUED_AT, secs);
    token.payload().set(Poco::JWT::Token::CLAIM_NOT_BEFORE, secs - 10);
    token.payload().set(Poco::JWT::Token::CLAIM_EXPIRATION, secs + cfg_.expires);
    token.setId(random_id());
    token.payload().set("access", access);
    Poco::JSON::Array::Ptr x5c = new Poco::JSON::Array;
    for (const auto& c : x5c_) x5c->add(c);
    token.header().set("x5c", x5c);
    Poco::JWT::Signer signer(key_);
    std::string jwt = signer.sign(token, Poco::JWT::Signer::ALGO_RS256);

    Poco::JSON::Object body;
    if (!oauth) body.set("token", jwt);
    body.set("access_token", jwt);
    body.set("expires_in", cfg_.expires > 0 ? cfg_.expires : 1);
    body.set("issued_at", Poco::DateTimeFormatter::format(now, Poco::DateTimeFormat::ISO8601_FRAC_FORMAT));
    if (oauth) body.set("scope", join(granted_strs, " "));
    if (want_refresh && user != "-") {
      std::string rt = random_id();
      {
        std::lock_guard lock(mu_);
        refresh_tokens_[rt] = user;
      }
      body.set("refresh_token", rt);
    }
    std::ostringstream os;
    body.stringify(os);
    log(req.getMethod(), user, scopes_asked, join(granted_strs, " "), 200);
    res.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
    res.setContentType("application/json");
    res.setContentLength(static_cast<std::streamsize>(os.str().size()));
    res.send() << os.str();
  }

 private:
  bool check_password(const std::string& user, const std::string& pass) {
    auto it = cfg_.users.find(user);
    return it != cfg_.users.end() && it->second.password == pass;
  }

  bool allowed(const std::string& user, const Scope& sc, const std::string& action) {
    if (user == "-") {
      if (sc.type != "repository" || action != "pull") return false;
      for (const auto& pat : cfg_.anonymous_pull)
        if (fnmatch(pat.c_str(), sc.name.c_str(), 0) == 0) return true;
      return false;
    }
    const User& u = cfg_.users.at(user);
    if (sc.type == "registry") return sc.name == "catalog" && action == "*";
    if (sc.type != "repository") return false;
    if (u.pull_only) return action == "pull";
    return action == "pull" || action == "push" || action == "delete" || action == "*";
  }

  std::string random_id() {
    std::lock_guard lock(mu_);
    char buf[33];
    for (int i = 0; i < 32; i += 8) snprintf(buf + i, 9, "%08x", rng_.next());
    return buf;
  }

  void unauthorized(Poco::Net::HTTPServerResponse& res, const std::string& msg, const std::string& user) {
    res.set("WWW-Authenticate", "Basic realm=\"skiff-token\"");
    reply_error(res, 401, "UNAUTHORIZED", msg, user, "");
  }

  void reply_error(Poco::Net::HTTPServerResponse& res, int status, const std::string& code, const std::string& msg,
                   const std::string& user, const std::string& scopes) {
    log("-", user, scopes, "error: " + msg, status);
    Poco::JSON::Object err, body;
    err.set("code", code);
    err.set("message", msg);
    Poco::JSON::Array::Ptr errs = new Poco::JSON::Array;
    errs->add(err);
    body.set("errors", errs);
    body.set("details", msg);
    std::ostringstream os;
    body.stringify(os);
    res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    res.setContentType("application/json");
    res.setContentLength(static_cast<std::streamsize>(os.str().size()));
    res.send() << os.str();
  }

  void log(const std::string& method, const std::string& user, const std::string& asked, const std::string& granted,
           int status) {
    std::lock_guard lock(mu_);
    if (!log_.is_open()) return;
    log_ << Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FRAC_FORMAT) << " "
         << method << " status=" << status << " user=" << user << " scope=\"" << asked << "\" granted=\"" << granted
         << "\"\n";
    log_.flush();
  }

  Config cfg_;
  Poco::SharedPtr<Poco::Crypto::RSAKey> key_;
  std::vector<std::string> x5c_;
  std::mutex mu_;
  Poco::Random rng_;
  std::map<std::string, std::string> refresh_tokens_;
  std::ofstream log_;
};

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Issuer& issuer) : issuer_(issuer) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
    try {
      issuer_.handle(req, res);
    } catch (const Poco::Exception& e) {
      std::cerr << "token_server: " << e.displayText() << "\n";
      if (!res.sent()) {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        res.send() << "internal error\n";
      }
    } catch (const std::exception& e) {
      std::cerr << "token_server: " << e.what() << "\n";
      if (!res.sent()) {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
        res.send() << "internal error\n";
      }
    }
  }

 private:
  Issuer& issuer_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Issuer& issuer) : issuer_(issuer) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(issuer_);
  }

 private:
  Issuer& issuer_;
};

[[noreturn]] void usage(const char* why) {
  std::cerr << "token_server: " << why
            << "\nusage: token_server --sign-cert F --sign-key F [--listen HOST:PORT] [--port-file F]\n"
               "         [--tls-cert F --tls-key F] [--issuer S] [--service S] [--expires SECS]\n"
               "         [--user NAME:PASS[:pull]]... [--anonymous-pull GLOB]... [--log F]\n";
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Config cfg;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    std::string v = argv[++i];
    if (a == "--listen") cfg.listen = v;
    else if (a == "--port-file") cfg.port_file = v;
    else if (a == "--tls-cert") cfg.tls_cert = v;
    else if (a == "--tls-key") cfg.tls_key = v;
    else if (a == "--sign-cert") cfg.sign_cert = v;
    else if (a == "--sign-key") cfg.sign_key = v;
    else if (a == "--issuer") cfg.issuer = v;
    else if (a == "--service") cfg.service = v;
    else if (a == "--expires") cfg.expires = atol(v.c_str());
    else if (a == "--log") cfg.log_file = v;
    else if (a == "--anonymous-pull") cfg.anonymous_pull.push_back(v);
    else if (a == "--user") {
      auto parts = split(v, ':');
      if (parts.size() < 2 || parts.size() > 3 || (parts.size() == 3 && parts[2] != "pull"))
        usage("--user wants NAME:PASS or NAME:PASS:pull");
      cfg.users[parts[0]] = User{parts[1], parts.size() == 3};
    } else usage(("unknown option " + a).c_str());
  }
  if (cfg.sign_cert.empty() || cfg.sign_key.empty()) usage("--sign-cert and --sign-key are required");
  if (cfg.tls_cert.empty() != cfg.tls_key.empty()) usage("--tls-cert and --tls-key go together");

  // Wait for SIGINT/SIGTERM in main while the server threads run (block them first, so the
  // threads inherit the mask).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    Issuer issuer(cfg);
    Poco::Net::SocketAddress addr(cfg.listen);
    std::unique_ptr<Poco::Net::ServerSocket> sock;
    if (!cfg.tls_cert.empty()) {
      Poco::Net::Context::Ptr ctx =
          new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, cfg.tls_key, cfg.tls_cert, "",
                                 Poco::Net::Context::VERIFY_NONE);
      sock = std::make_unique<Poco::Net::SecureServerSocket>(addr, 64, ctx);
    } else {
      sock = std::make_unique<Poco::Net::ServerSocket>(addr, 64);
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(8);
    params->setKeepAlive(true);
    Poco::Net::HTTPServer server(new Factory(issuer), *sock, params);
    server.start();
    if (!cfg.port_file.empty()) {
      std::string tmp = cfg.port_file + ".tmp";
      std::ofstream(tmp) << sock->address().port() << "\n";
      if (rename(tmp.c_str(), cfg.port_file.c_str()) != 0) {
        perror("token_server: port file");
        return 1;
      }
    }
    int sig = 0;
    sigwait(&set, &sig);
    server.stopAll(true);
  } catch (const Poco::Exception& e) {
    std::cerr << "token_server: " << e.displayText() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "token_server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
