#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "cli/quadlet.hpp"

using namespace skiff::cli::quadlet;

BOOST_AUTO_TEST_SUITE(cli_quadlet)

BOOST_AUTO_TEST_CASE(parses_sections_continuations_and_comments) {
  auto f = parse("/q/a.container", "# c\n[Container]\nImage=busybox\n; c\nExec=sh -c \\\n  'echo hi'\n\n[Service]\nRestart=always\n");
  BOOST_REQUIRE(f);
  BOOST_TEST(f->sections.size() == 2u);
  BOOST_TEST(f->last("Container", "Exec") == "sh -c 'echo hi'");
  BOOST_TEST(f->sections[0].entries[1].line == 5);
  BOOST_TEST(f->last("Service", "Restart") == "always");
  auto bad = parse("/q/b.container", "Image=x\n");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg.find("/q/b.container:1") != std::string::npos);
  BOOST_TEST(!parse("/q/c.container", "[Container]\nno equals sign\n"));
}

BOOST_AUTO_TEST_CASE(splits_words_as_systemd) {
  auto w = split_words("a \"b c\" 'd \"e' f\\ g");
  BOOST_REQUIRE(w);
  BOOST_TEST(w->size() == 4u);
  BOOST_TEST((*w)[1] == "b c");
  BOOST_TEST((*w)[2] == "d \"e");
  BOOST_TEST((*w)[3] == "f g");
  BOOST_TEST(!split_words("\"open"));
}

BOOST_AUTO_TEST_CASE(container_unit) {
  auto f = parse("/q/web.container",
                 "[Unit]\nDescription=Web\n[Container]\nImage=busybox\nExec=httpd -f\nEnvironment=A=1 \"B=x y\"\n"
                 "Volume=data.volume:/data\nNetwork=net.network\nFrobnicate=1\nNotify=true\nContainerName=web\n"
                 "[Service]\nRestart=always\n[Install]\nWantedBy=default.target\n");
  BOOST_REQUIRE(f);
  auto g = generate(*f, "web", "container", "/usr/bin/skiff");
  BOOST_REQUIRE(g);
  BOOST_TEST(g->unit_name == "web.service");
  const std::string& t = g->text;
  BOOST_TEST(t.find("ExecStart=/usr/bin/skiff run --name=web --cidfile=%t/%N.cid --replace --rm --cgroups=split "
                    "--sdnotify=container -d --env=A=1 \"--env=B=x y\" --volume=systemd-data:/data "
                    "--network=systemd-net busybox httpd -f\n") != std::string::npos);
  BOOST_TEST(t.find("Requires=data-volume.service\nAfter=data-volume.service\n") != std::string::npos);
  BOOST_TEST(t.find("Requires=net-network.service\n") != std::string::npos);
  BOOST_TEST(t.find("SourcePath=/q/web.container\n") != std::string::npos);
  BOOST_TEST(t.find("Type=notify\nNotifyAccess=all\n") != std::string::npos);
  // The user's [Service] comes after ours (the user's settings win) and [Install] is kept.
  BOOST_TEST(t.find("Restart=always") > t.find("ExecStart="));
  BOOST_TEST(t.find("[Install]\nWantedBy=default.target\n") != std::string::npos);
  BOOST_TEST(g->wanted_by == std::vector<std::string>{"default.target"});
  BOOST_REQUIRE(g->warnings.size() == 1u);
  BOOST_TEST(g->warnings[0] == "/q/web.container:9: unsupported key 'Frobnicate' in section [Container], ignored");
}

BOOST_AUTO_TEST_CASE(volume_network_and_errors) {
  auto v = generate(*parse("/q/data.volume", "[Volume]\nLabel=a=b\n"), "data", "volume", "/usr/bin/skiff");
  BOOST_REQUIRE(v);
  BOOST_TEST(v->unit_name == "data-volume.service");
  BOOST_TEST(v->text.find("ExecStart=/usr/bin/skiff volume create --label=a=b systemd-data\n") != std::string::npos);
  auto n = generate(*parse("/q/net.network", "[Network]\nSubnet=10.1.0.0/24\n"), "net", "network", "/usr/bin/skiff");
  BOOST_REQUIRE(n);
  BOOST_TEST(n->text.find("network create --ignore --subnet=10.1.0.0/24 systemd-net\n") != std::string::npos);
  BOOST_TEST(!generate(*parse("/q/x.container", "[Container]\nExec=true\n"), "x", "container", "/s"));
  BOOST_TEST(!generate(*parse("/q/x.container", "[Container]\nImage=a\nGroup=1\n"), "x", "container", "/s"));
  BOOST_TEST(!generate(*parse("/q/x.container", "[Container]\nImage=a\nReadOnly=perhaps\n"), "x", "container", "/s"));
}

BOOST_AUTO_TEST_SUITE_END()
