#include "output.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>

namespace kith::cli {

Record& Record::Set(const std::string& key, const std::string& value) {
  (*fields_.mutable_fields())[key].set_string_value(value);
  return *this;
}

Record& Record::Set(const std::string& key, double value) {
  (*fields_.mutable_fields())[key].set_number_value(value);
  return *this;
}

Record& Record::Set(const std::string& key, bool value) {
  (*fields_.mutable_fields())[key].set_bool_value(value);
  return *this;
}

std::string ShellWord(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.,/:@+=") == std::string::npos;
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";  // close, an escaped quote, reopen
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string JsonLine(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

void PrintJsonLine(const google::protobuf::Message& message) {
  std::printf("%s\n", JsonLine(message).c_str());
}

void Record::Print(bool json, const std::string& text) const {
  if (json) {
    PrintJsonLine(fields_);
  } else {
    std::printf("%s\n", text.c_str());
  }
  std::fflush(stdout);
}

}  // namespace kith::cli
