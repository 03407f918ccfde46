// Random container names: "<adjective>_<surname>", Docker's scheme and word lists
// (moby pkg/namesgenerator, 108 adjectives x 236 surnames). Never "boring_wozniak".
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "skiff/engine/engine.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {
constexpr const char* kAdjectives[] = {
    "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful",
    "blissful", "bold", "boring", "brave", "busy", "charming", "clever", "compassionate",
    "competent", "condescending", "confident", "cool", "cranky", "crazy", "dazzling", "determined",
    "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic",
    "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty", "funny",
    "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful",
    "hungry", "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen",
    "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying", "naughty",
    "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic",
    "pensive", "practical", "priceless", "quirky", "quizzical", "recursing", "relaxed", "reverent",
    "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange", "stupefied",
    "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant",
    "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
};
constexpr const char* kSurnames[] = {
    "agnesi", "albattani", "allen", "almeida", "antonelli", "archimedes", "ardinghelli",
    "aryabhata", "austin", "babbage", "banach", "banzai", "bardeen", "bartik", "bassi", "beaver",
    "bell", "benz", "bhabha", "bhaskara", "black", "blackburn", "blackwell", "bohr", "booth",
    "borg", "bose", "bouman", "boyd", "brahmagupta", "brattain", "brown", "buck", "burnell",
    "cannon", "carson", "cartwright", "carver", "cerf", "chandrasekhar", "chaplygin", "chatelet",
    "chatterjee", "chaum", "chebyshev", "clarke", "cohen", "colden", "cori", "cray", "curie",
    "curran", "darwin", "davinci", "dewdney", "dhawan", "diffie", "dijkstra", "dirac", "driscoll",
    "dubinsky", "easley", "edison", "einstein", "elbakyan", "elgamal", "elion", "ellis",
    "engelbart", "euclid", "euler", "faraday", "feistel", "fermat", "fermi", "feynman", "franklin",
    "gagarin", "galileo", "galois", "ganguly", "gates", "gauss", "germain", "goldberg", "goldstine",
    "goldwasser", "golick", "goodall", "gould", "greider", "grothendieck", "haibt", "hamilton",
    "haslett", "hawking", "heisenberg", "hellman", "hermann", "herschel", "hertz", "heyrovsky",
    "hodgkin", "hofstadter", "hoover", "hopper", "hugle", "hypatia", "ishizaka", "jackson", "jang",
    "jemison", "jennings", "jepsen", "johnson", "joliot", "jones", "kalam", "kapitsa", "kare",
    "keldysh", "keller", "kepler", "khayyam", "khorana", "kilby", "kirch", "knuth", "kowalevski",
    "lalande", "lamarr", "lamport", "leakey", "leavitt", "lederberg", "lehmann", "lewin",
    "lichterman", "liskov", "lovelace", "lumiere", "mahavira", "margulis", "matsumoto", "maxwell",
    "mayer", "mccarthy", "mcclintock", "mclaren", "mclean", "mcnulty", "meitner", "mendel",
    "mendeleev", "meninsky", "merkle", "mestorf", "mirzakhani", "montalcini", "moore", "morse",
    "moser", "murdock", "napier", "nash", "neumann", "newton", "nightingale", "nobel", "noether",
    "northcutt", "noyce", "panini", "pare", "pascal", "pasteur", "payne", "perlman", "pike",
    "poincare", "poitras", "proskuriakova", "ptolemy", "raman", "ramanujan", "rhodes", "ride",
    "ritchie", "robinson", "roentgen", "rosalind", "rubin", "saha", "sammet", "sanderson",
    "satoshi", "shamir", "shannon", "shaw", "shirley", "shockley", "shtern", "sinoussi", "snyder",
    "solomon", "spence", "stonebraker", "sutherland", "swanson", "swartz", "swirles", "taussig",
    "tesla", "tharp", "thompson", "torvalds", "tu", "turing", "varahamihira", "vaughan", "villani",
    "visvesvaraya", "volhard", "wescoff", "wilbur", "wiles", "williams", "williamson", "wilson",
    "wing", "wozniak", "wright", "wu", "yalow", "yonath", "zhukovsky",
};

uint32_t rnd() {
  uint32_t v = 0;
  while (getrandom(&v, sizeof v, 0) != sizeof v) {
  }
  return v;
}
}  // namespace

std::string random_name(const Engine& e) {
  constexpr size_t na = sizeof kAdjectives / sizeof *kAdjectives;
  constexpr size_t ns = sizeof kSurnames / sizeof *kSurnames;
  for (int attempt = 0;; ++attempt) {
    std::string name = std::string(kAdjectives[rnd() % na]) + "_" + kSurnames[rnd() % ns];
    if (name == "boring_wozniak") continue;  // Steve Wozniak is not boring
    // On collisions Docker appends a random digit; after that we keep appending.
    for (int k = 0; k < attempt; ++k) name += char('0' + rnd() % 10);
    if (!path_exists(e.graph() + "/names/containers/" + name)) return name;
  }
}

namespace {

// Whether `holder` really owns `name`: its config exists and carries that name. A create or a
// rename in flight holds the container's lock between its symlink() and its config write, so
// the lock is taken first (polled, bounded: two renames into each other's names must not
// deadlock; a holder still busy after that counts as holding the name).
bool holds_name(const Engine& e, const std::string& holder, const std::string& name) {
  if (holder.size() != 64) return false;
  FileLock lock;
  for (int i = 0; i < 200; ++i) {
    auto l = lock_file(e.run_dir(holder) + "/lock", LockMode::Exclusive, false);
    if (l) {
      lock = std::move(*l);
      break;
    }
    if (l.error().code != EWOULDBLOCK) break;  // no run directory: nothing in flight
    struct timespec ts{0, 10'000'000};
    nanosleep(&ts, nullptr);
    if (i == 199) return true;
  }
  auto j = read_json_file(e.container_dir(holder) + "/config.json", 16 << 20);
  return j && json_str(*j, "Name") == name;
}

}  // namespace

Status claim_name(const Engine& e, const std::string& name, const std::string& id) {
  std::string link = e.graph() + "/names/containers/" + name;
  std::string target = "../../containers/" + id;
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (symlink(target.c_str(), link.c_str()) == 0) return ok();
    if (errno != EEXIST) return fail_errno(fmt::format("claim the name `{}`", name));
    char buf[512];
    ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
    if (n < 0) continue;  // removed meanwhile: try again
    std::string holder = split_dir_base(std::string(buf, size_t(n))).second;
    if (holder == id) return ok();
    if (holds_name(e, holder, name))
      return fail(kConflict, fmt::format("the container name \"/{}\" is already in use by container \"{}\". "
                                         "You have to remove (or rename) that container to be able to reuse that name",
                                         name, holder));
    // Stale: left by a create, rm or rename that was killed half-way. Remove it only if it
    // still points where it did (another claimer may have replaced it meanwhile).
    n = readlink(link.c_str(), buf, sizeof buf - 1);
    if (n > 0 && split_dir_base(std::string(buf, size_t(n))).second == holder) (void)unlink(link.c_str());
  }
  return fail(kConflict, fmt::format("the container name \"/{}\" is already in use", name));
}

}  // namespace skiff::engine
