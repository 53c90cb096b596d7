// What the CLI prints: a line of text per result for people, or with
// --json one JSON object per result, for scripts.
#ifndef KITH_CLI_OUTPUT_H_
#define KITH_CLI_OUTPUT_H_

#include <google/protobuf/struct.pb.h>

#include <cstdint>
#include <string>

namespace kith::cli {

// `message` as one line of JSON, keeping proto field names (bytes in base64).
std::string JsonLine(const google::protobuf::Message& message);
// Prints JsonLine(message) and a newline.
void PrintJsonLine(const google::protobuf::Message& message);

// `word` as the shell reads it back: unchanged when it is plain, else in
// single quotes. Hints that name a group or person print it this way so they
// can be pasted.
std::string ShellWord(const std::string& word);

// One result. Fields are kept for JSON; `text` is what a person sees.
class Record {
 public:
  Record& Set(const std::string& key, const std::string& value);
  Record& Set(const std::string& key, const char* value) { return Set(key, std::string(value)); }
  Record& Set(const std::string& key, double value);
  Record& Set(const std::string& key, bool value);
  // Prints the JSON object or `text` followed by a newline.
  void Print(bool json, const std::string& text) const;

 private:
  google::protobuf::Struct fields_;
};

}  // namespace kith::cli

#endif  // KITH_CLI_OUTPUT_H_
