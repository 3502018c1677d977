// SPDX-License-Identifier: Apache-2.0
// wordfreq: word frequencies of a corpus of text files, served by twinlane.
//
// The master reads every file of the corpus once and counts its words; the workers share that
// table (it is never written after loading) and answer:
//   fast lane  GET /wordfreq/v1/words/{word}            {"word","count","rank"}: one lookup
//   slow lane  GET /wordfreq/v1/similar?word=W&distance=D
//              every word of the corpus within edit distance D of W, nearest and most frequent
//              first: a computation over the whole vocabulary
// Config (besides the pool's keys):
//   wordfreq: { corpus: DIRECTORY, max_distance: N }
#include <twinlane/twinlane.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wordfreq {
namespace {

namespace fs = std::filesystem;

struct Word {
  std::string text;
  std::uint64_t count = 0;
};

// The loaded corpus: read-only after construction, so every worker shares its pages.
struct Corpus {
  std::vector<Word> words;                              // most frequent first; rank = index + 1
  std::unordered_map<std::string, std::size_t> index;  // word -> position in `words`
  std::uint64_t total = 0;
  std::size_t files = 0;
  std::string source;
};

std::string lowercase(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Words are runs of ASCII letters, compared in lower case.
void countWords(std::istream& in, std::unordered_map<std::string, std::uint64_t>& counts, std::uint64_t& total) {
  std::string word;
  for (std::istreambuf_iterator<char> it(in), end; it != end; ++it) {
    const auto c = static_cast<unsigned char>(*it);
    if (std::isalpha(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (!word.empty()) {
      ++counts[word];
      ++total;
      word.clear();
    }
  }
  if (!word.empty()) {
    ++counts[word];
    ++total;
  }
}

std::unique_ptr<Corpus> loadCorpus(const fs::path& directory) {
  auto corpus = std::make_unique<Corpus>();
  corpus->source = directory.string();
  std::unordered_map<std::string, std::uint64_t> counts;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());  // the same ranks for ties, whatever the directory order
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("wordfreq: cannot read " + file.string());
    countWords(in, counts, corpus->total);
    ++corpus->files;
  }
  if (counts.empty()) throw std::runtime_error("wordfreq: no words in the files of " + directory.string());
  for (auto& [text, count] : counts) corpus->words.push_back({text, count});
  std::sort(corpus->words.begin(), corpus->words.end(),
            [](const Word& a, const Word& b) { return a.count != b.count ? a.count > b.count : a.text < b.text; });
  for (std::size_t i = 0; i < corpus->words.size(); ++i) corpus->index.emplace(corpus->words[i].text, i);
  return corpus;
}

// Levenshtein distance, giving up (returning limit + 1) once it must exceed `limit`.
std::size_t editDistance(std::string_view a, std::string_view b, std::size_t limit, std::vector<std::size_t>& row) {
  if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
  row.resize(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

// One serving thread: its scratch is the edit-distance row.
class WordfreqThread : public twinlane::ServiceThread {
 public:
  WordfreqThread(const Corpus& corpus, std::uint64_t max_distance) : corpus_(corpus), max_distance_(max_distance) {}

  void handle(const twinlane::RouteMatch& match, twinlane::Request& request, twinlane::Response& response) override {
    if (match.route->name == "word") {
      lookup(match.rest, response);
    } else {
      similar(request, response);
    }
  }

 private:
  void lookup(std::string_view rest, twinlane::Response& response) const {
    if (rest.empty() || rest.find('/') != std::string_view::npos) {
      throw twinlane::HttpError::invalidParameter("word", "expected /wordfreq/v1/words/{word}");
    }
    const std::string word = lowercase(rest);
    auto body = twinlane::orderedObject();
    body->set("word", word);
    const auto found = corpus_.index.find(word);
    body->set("count", found == corpus_.index.end() ? std::uint64_t{0} : corpus_.words[found->second].count);
    if (found != corpus_.index.end()) {
      body->set("rank", static_cast<std::uint64_t>(found->second + 1));
    } else {
      body->set("rank", Poco::Dynamic::Var());
    }
    response.setJson(*body);
  }

  void similar(twinlane::Request& request, twinlane::Response& response) {
    const auto query = twinlane::QueryParameters::parse(request.queryString());
    query.acceptOnly({"word", "distance"});
    const std::string word = lowercase(query.require("word", "a word"));
    const auto distance = query.find("distance") ? query.requireInteger("distance", 0, max_distance_)
                                                 : std::min<std::uint64_t>(1, max_distance_);

    Poco::JSON::Array::Ptr matches = new Poco::JSON::Array;
    std::vector<std::pair<std::size_t, const Word*>> found;
    for (std::size_t i = 0; i < corpus_.words.size(); ++i) {
      if (i % 1024 == 0) request.checkpoint();  // past the deadline or with the client gone: stop
      const std::size_t d = editDistance(word, corpus_.words[i].text, distance, row_);
      if (d <= distance) found.emplace_back(d, &corpus_.words[i]);
    }
    // Words are in frequency order already; a stable sort keeps it within one distance.
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [d, match] : found) {
      auto item = twinlane::orderedObject();
      item->set("word", match->text);
      item->set("distance", static_cast<std::uint64_t>(d));
      item->set("count", match->count);
      matches->add(item);
    }
    auto body = twinlane::orderedObject();
    body->set("word", word);
    body->set("distance", distance);
    body->set("searched", static_cast<std::uint64_t>(corpus_.words.size()));
    body->set("matches", matches);
    response.setJson(*body);
  }

  const Corpus& corpus_;
  std::uint64_t max_distance_;
  std::vector<std::size_t> row_;
};

class WordfreqService : public twinlane::Service {
 public:
  WordfreqService(std::unique_ptr<Corpus> corpus, std::uint64_t max_distance)
      : corpus_(std::move(corpus)), max_distance_(max_distance) {}

  std::unique_ptr<twinlane::ServiceThread> newThread() const override {
    return std::make_unique<WordfreqThread>(*corpus_, max_distance_);
  }
  Poco::JSON::Object::Ptr summary() const override {
    auto summary = twinlane::orderedObject();
    summary->set("corpus", corpus_->source);
    summary->set("files", static_cast<std::uint64_t>(corpus_->files));
    summary->set("words", corpus_->total);
    summary->set("distinct", static_cast<std::uint64_t>(corpus_->words.size()));
    return summary;
  }
  std::string metrics() const override {
    return "# HELP wordfreq_distinct_words Distinct words of the loaded corpus.\n"
           "# TYPE wordfreq_distinct_words gauge\n"
           "wordfreq_distinct_words " + std::to_string(corpus_->words.size()) + "\n";
  }

 private:
  std::unique_ptr<Corpus> corpus_;
  std::uint64_t max_distance_;
};

// What wordfreq read of the config file.
class WordfreqConfig : public twinlane::ServiceConfig {
 public:
  WordfreqConfig(twinlane::ConfigSection section, std::string corpus, std::uint64_t max_distance)
      : section_(section), corpus_(std::move(corpus)), max_distance_(max_distance) {}

  void check() const override {
    std::error_code error;
    if (!fs::is_directory(corpus_, error)) {
      throw section_.error("corpus", "'" + corpus_ + "' is not a directory" + (error ? ": " + error.message() : ""));
    }
  }

  std::unique_ptr<twinlane::Service> load() const override {
    return std::make_unique<WordfreqService>(loadCorpus(corpus_), max_distance_);
  }

 private:
  twinlane::ConfigSection section_;  // for errors at the line of the key
  std::string corpus_;
  std::uint64_t max_distance_;
};

std::vector<twinlane::ServiceRoute> wordfreqRoutes() {
  return {{{"word", "/wordfreq/v1/words/", true, {"GET"}}, twinlane::Lane::kFast},
          {{"similar", "/wordfreq/v1/similar", false, {"GET"}}, twinlane::Lane::kSlow}};
}

twinlane::ServiceSpec wordfreqSpec() {
  twinlane::ServiceSpec spec;
  spec.name = "wordfreq";
  spec.url_prefix = "/wordfreq/v1/";
  spec.routes = wordfreqRoutes();
  spec.configure = [](twinlane::ConfigSection& top) -> std::unique_ptr<twinlane::ServiceConfig> {
    twinlane::ConfigSection section = top.section("wordfreq");
    std::string corpus = section.string("corpus", "/usr/share/common-licenses");
    const auto max_distance = section.integer("max_distance", 3, 0, 8);
    return std::make_unique<WordfreqConfig>(section, std::move(corpus), max_distance);
  };
  return spec;
}

}  // namespace
}  // namespace wordfreq

int main(int argc, char** argv) { return twinlane::serve(argc, argv, wordfreq::wordfreqSpec()); }
