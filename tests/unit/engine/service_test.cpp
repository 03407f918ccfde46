#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <string>

#include "skiff/engine/service.hpp"
#include "skiff/util/json.hpp"

// Healthchecks as records (apply_service_options) and Docker's decision after each probe
// (apply_probe_result); --sdnotify and --health-on-failure values.

using namespace skiff;
using namespace skiff::engine;

namespace {

constexpr int64_t kSecond = 1'000'000'000;
const int64_t kStart = 1'700'000'000 * kSecond;  // the container's start

Json fresh() { return *parse_json(R"({"Status":"starting","FailingStreak":0,"Log":[]})"); }

Json hc(const std::string& extra = "") {
  return *parse_json(R"({"Test":["CMD-SHELL","true"])" + (extra.empty() ? "" : "," + extra) + "}");
}

// Applies probe results (exit codes) at `at` seconds after the start; the status after each.
std::string after(Json& h, const Json& check, std::initializer_list<int> codes, int64_t at = 100) {
  std::string out;
  for (int c : codes) {
    apply_probe_result(h, check, c, kStart + at * kSecond, kStart);
    out += (out.empty() ? "" : " ") + json_str(h, "Status");
  }
  return out;
}

struct Applied {
  Json config = Json::object(), extra = Json::object();
  std::string error;
};

Applied apply(const ServiceOptions& o, const std::string& image_config = "{}") {
  Applied a;
  Json ic = *parse_json(image_config);
  ContainerConfig config;
  ContainerExtra extra;
  auto st = apply_service_options(o, &ic, config, extra);
  if (!st) a.error = st.error().msg;
  a.config = to_json(config);  // Docker's shape, as inspect shows it
  a.extra = to_json(extra);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_service)

BOOST_AUTO_TEST_CASE(unhealthy_after_retries_failures_in_a_row) {
  Json h = fresh();
  BOOST_TEST(after(h, hc(), {1, 1, 1, 1}) == "starting starting unhealthy unhealthy", "default retries: 3");
  BOOST_TEST(json_int(h, "FailingStreak") == 4);
  BOOST_TEST(after(h, hc(), {0}) == "healthy");
  BOOST_TEST(json_int(h, "FailingStreak") == 0, "a pass resets the streak");
  BOOST_TEST(after(h, hc(), {1, 1, 0, 1}) == "healthy healthy healthy healthy");
  BOOST_TEST(json_int(h, "FailingStreak") == 1);

  Json one = fresh();
  BOOST_TEST(after(one, hc(R"("Retries":1)"), {2}) == "unhealthy");
  Json five = fresh();
  BOOST_TEST(after(five, hc(R"("Retries":5)"), {1, 1, 1, 1, 1}) == "starting starting starting starting unhealthy");
  Json timeout = fresh();
  BOOST_TEST(after(timeout, hc(R"("Retries":1)"), {-1}) == "unhealthy", "a timed-out probe (-1) is a failure");
}

BOOST_AUTO_TEST_CASE(failures_in_the_start_period_do_not_count_until_healthy) {
  Json check = hc(R"("StartPeriod":60000000000,"Retries":1)");
  Json h = fresh();
  BOOST_TEST(after(h, check, {1, 1, 1}, 10) == "starting starting starting", "within the 60 s start period");
  BOOST_TEST(json_int(h, "FailingStreak") == 0);
  BOOST_TEST(after(h, check, {1}, 61) == "unhealthy", "after it");

  // Once healthy, a failure counts even inside the start period (Docker: only "starting" is spared).
  Json g = fresh();
  BOOST_TEST(after(g, check, {0, 1}, 10) == "healthy unhealthy");
}

BOOST_AUTO_TEST_CASE(healthcheck_from_flags_over_the_image) {
  ServiceOptions o;
  o.health_cmd = "curl -f http://localhost/";
  o.health_interval = "5s";
  o.health_retries = 2;
  auto a = apply(o, R"({"Healthcheck":{"Test":["CMD","true"],"Timeout":7000000000}})");
  BOOST_REQUIRE_MESSAGE(a.error.empty(), a.error);
  const Json& h = a.config["Healthcheck"];
  BOOST_TEST(h["Test"].dump() == R"(["CMD-SHELL","curl -f http://localhost/"])");
  BOOST_TEST(json_int(h, "Interval") == 5 * kSecond);
  BOOST_TEST(json_int(h, "Timeout") == 7 * kSecond, "the image's value where no flag says otherwise");
  BOOST_TEST(json_int(h, "Retries") == 2);

  ServiceOptions exec_form;
  exec_form.health_cmd = R"(["/bin/check", "--quick"])";
  BOOST_TEST(apply(exec_form).config["Healthcheck"]["Test"].dump() == R"(["CMD","/bin/check","--quick"])");
  exec_form.health_cmd = R"(["CMD-SHELL", "x"])";
  BOOST_TEST(apply(exec_form).config["Healthcheck"]["Test"].dump() == R"(["CMD-SHELL","x"])");
  ServiceOptions none;
  none.health_cmd = "none";
  BOOST_TEST(apply(none, R"({"Healthcheck":{"Test":["CMD","true"]}})").config["Healthcheck"]["Test"].dump() ==
             R"(["NONE"])");
  ServiceOptions off;
  off.no_healthcheck = true;
  BOOST_TEST(apply(off, R"({"Healthcheck":{"Test":["CMD","true"]}})").config["Healthcheck"]["Test"].dump() ==
             R"(["NONE"])");
  ServiceOptions inherit;
  BOOST_TEST(apply(inherit, R"({"Healthcheck":{"Test":["CMD","true"]}})").config["Healthcheck"]["Test"].dump() ==
             R"(["CMD","true"])");
  BOOST_TEST(!apply(inherit).config.contains("Healthcheck"));

  ServiceOptions disable;
  disable.health_cmd = "true";
  disable.health_interval = "disable";
  auto d = apply(disable);
  BOOST_TEST(json_int(d.config["Healthcheck"], "Interval") == 0);
  BOOST_TEST(d.extra["healthTimer"] == false);
}

BOOST_AUTO_TEST_CASE(service_option_errors) {
  auto err = [](auto set) {
    ServiceOptions o;
    set(o);
    return apply(o).error;
  };
  BOOST_TEST(err([](ServiceOptions& o) { o.sdnotify = "sometimes"; }) ==
             "invalid --sdnotify \"sometimes\": want conmon, container, healthy or ignore");
  BOOST_TEST(err([](ServiceOptions& o) { o.health_on_failure = "panic"; }) ==
             "invalid --health-on-failure \"panic\": want none, kill, restart or stop");
  BOOST_TEST(err([](ServiceOptions& o) { o.no_healthcheck = true, o.health_retries = 1; }) ==
             "--no-healthcheck conflicts with the --health-* options");
  BOOST_TEST(err([](ServiceOptions& o) { o.health_retries = 3; }) ==
             "the --health-* options need a --health-cmd (the image defines no HEALTHCHECK)");
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "  "; }).find("--health-cmd is empty") == 0);
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "[1]"; }).find("not all strings") != std::string::npos);
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "[]"; }).find("want a command or a JSON array") != std::string::npos);
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "x", o.health_interval = "500ms"; }).find(
                 "invalid --health-interval \"500ms\"") == 0);
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "x", o.health_timeout = kSecond - 1; }) ==
             "--health-timeout must be at least 1 second");
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "x", o.health_start_period = -1; }) ==
             "--health-start-period must be 0 or more");
  BOOST_TEST(err([](ServiceOptions& o) { o.health_cmd = "x", o.health_retries = 0; }) ==
             "--health-retries must be at least 1");
  BOOST_TEST(err([](ServiceOptions& o) { o.sdnotify = "healthy"; }) ==
             "--sdnotify=healthy needs a healthcheck (--health-cmd or the image's HEALTHCHECK)");
  BOOST_TEST(err([](ServiceOptions& o) { o.sdnotify = "healthy", o.health_cmd = "none"; }).find("--sdnotify=healthy") == 0);
  BOOST_TEST(err([](ServiceOptions& o) { o.sdnotify = "healthy", o.health_cmd = "true"; }) == "");
}

BOOST_AUTO_TEST_CASE(passthrough_log_driver_needs_no_terminal) {
  BOOST_TEST(bool(check_log_driver("json-file", true)));
  BOOST_TEST(bool(check_log_driver("passthrough", false)));
  BOOST_TEST(!check_log_driver("passthrough", true));
  setenv("SKIFF_JOURNAL_SOCKET", "/nonexistent/journal/socket", 1);
  auto j = check_log_driver("journald", false);
  BOOST_REQUIRE(!j);
  BOOST_TEST(j.error().msg.find("there is no journal socket at /nonexistent/journal/socket") != std::string::npos);
  unsetenv("SKIFF_JOURNAL_SOCKET");
}

BOOST_AUTO_TEST_CASE(retries_of_zero_mean_the_default) {
  // Docker: Retries <= 0 is the default of 3 (an image committed with HEALTHCHECK --retries=0,
  // or a config that writes the zero value).
  Json h = fresh();
  BOOST_TEST(after(h, hc(R"("Retries":0)"), {1, 1, 1}) == "starting starting unhealthy");
  Json n = fresh();
  BOOST_TEST(after(n, hc(R"("Retries":-2)"), {1, 1, 1}) == "starting starting unhealthy");
}

BOOST_AUTO_TEST_SUITE_END()
