#include "report.hpp"

#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "core/json_text.hpp"

namespace ds::pack {

namespace {

double ratio(std::uint64_t stored, std::uint64_t raw) {
  return raw == 0 ? 0.0 : static_cast<double>(stored) / static_cast<double>(raw);
}

double mb_per_s(std::uint64_t bytes, double seconds) {
  return seconds <= 0 ? 0.0 : static_cast<double>(bytes) / 1e6 / seconds;
}

std::string format(const char* pattern, auto... values) {
  char text[256];
  std::snprintf(text, sizeof(text), pattern, values...);
  return text;
}

std::string json_string(const std::string& text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string json_number(double value) {
  std::string out;
  append_json_number(out, value);
  return out;
}

void print_row(std::ostream& out, const field_figures& row) {
  out << format("%-6s %-8s %-12s %9llu %13llu %13llu %7.4f %10.1f %10.1f\n", row.split.c_str(),
                row.field.c_str(), row.codec.c_str(), static_cast<unsigned long long>(row.records),
                static_cast<unsigned long long>(row.raw_bytes),
                static_cast<unsigned long long>(row.stored_bytes),
                ratio(row.stored_bytes, row.raw_bytes), mb_per_s(row.raw_bytes, row.encode_seconds),
                mb_per_s(row.raw_bytes, row.decode_seconds));
}

/// Every row summed; records count each split once (not once per field).
field_figures totals(const pack_report& report) {
  field_figures total{"total", "", "", 0, 0, 0, 0, 0, 0};
  for (const auto& row : report.rows) {
    total.raw_bytes += row.raw_bytes;
    total.stored_bytes += row.stored_bytes;
    total.kept_raw += row.kept_raw;
    total.encode_seconds += row.encode_seconds;
    total.decode_seconds += row.decode_seconds;
  }
  for (const auto& part : report.splits)
    total.records += part.records;
  return total;
}

void write_figures(std::ostream& out, const field_figures& row) {
  out << "{\"split\": " << json_string(row.split) << ", \"field\": " << json_string(row.field)
      << ", \"codec\": " << json_string(row.codec) << ", \"records\": " << row.records
      << ", \"raw_bytes\": " << row.raw_bytes << ", \"stored_bytes\": " << row.stored_bytes
      << ", \"kept_raw\": " << row.kept_raw
      << ", \"ratio\": " << json_number(ratio(row.stored_bytes, row.raw_bytes))
      << ", \"encode_mb_per_s\": " << json_number(mb_per_s(row.raw_bytes, row.encode_seconds))
      << ", \"decode_mb_per_s\": " << json_number(mb_per_s(row.raw_bytes, row.decode_seconds))
      << "}";
}

void write_choice(std::ostream& out, const field_choice& choice) {
  out << "{\"field\": " << json_string(choice.field) << ", \"kind\": " << json_string(choice.kind)
      << ", \"codec\": " << json_string(choice.codec)
      << ", \"lossy\": " << (choice.lossy ? "true" : "false")
      << ", \"forced\": " << (choice.forced ? "true" : "false")
      << ", \"reason\": " << json_string(choice.reason)
      << ", \"dictionary_bytes\": " << choice.dictionary_bytes << ", \"candidates\": [";
  for (std::size_t i = 0; i < choice.candidates.size(); ++i) {
    const auto& candidate = choice.candidates[i];
    out << (i == 0 ? "" : ", ") << "{\"codec\": " << json_string(candidate.codec_name)
        << ", \"raw_bytes\": " << candidate.raw_bytes
        << ", \"stored_bytes\": " << candidate.stored_bytes
        << ", \"ratio\": " << json_number(ratio(candidate.stored_bytes, candidate.raw_bytes))
        << ", \"encode_mb_per_s\": " << json_number(candidate.encode_mb_per_s)
        << ", \"decode_mb_per_s\": " << json_number(candidate.decode_mb_per_s)
        << ", \"score\": " << json_number(candidate.score)
        << ", \"rejected\": " << json_string(candidate.rejected) << "}";
  }
  out << "]}";
}

} // namespace

void print_choice(std::ostream& out, const field_choice& choice) {
  out << "field '" << choice.field << "' (" << choice.kind << "): " << choice.codec
      << (choice.lossy ? " (lossy)" : "") << " - " << choice.reason;
  if (choice.dictionary_bytes > 0)
    out << " [dictionary " << choice.dictionary_bytes << " bytes]";
  out << '\n';
  for (const auto& candidate : choice.candidates) {
    out << format("  %-12s stored/raw %7.4f  encode %9.1f MB/s  decode %9.1f MB/s  score %.4f",
                  candidate.codec_name.c_str(),
                  ratio(candidate.stored_bytes, candidate.raw_bytes), candidate.encode_mb_per_s,
                  candidate.decode_mb_per_s, candidate.score);
    if (!candidate.rejected.empty())
      out << "  rejected: " << candidate.rejected;
    out << '\n';
  }
}

void print_report(std::ostream& out, const pack_report& report) {
  out << format("\n%-6s %-8s %-12s %9s %13s %13s %7s %10s %10s\n", "split", "field", "codec",
                "records", "raw bytes", "stored bytes", "ratio", "enc MB/s", "dec MB/s");
  for (const auto& row : report.rows)
    print_row(out, row);
  print_row(out, totals(report));
  out << '\n';
  for (const auto& row : report.rows)
    if (row.kept_raw > 0)
      out << format("%-6s %-8s %llu of %llu values kept raw: %s did not shrink them\n",
                    row.split.c_str(), row.field.c_str(),
                    static_cast<unsigned long long>(row.kept_raw),
                    static_cast<unsigned long long>(row.records), row.codec.c_str());
  for (const auto& part : report.splits)
    out << format("%-6s %llu records in %u shard(s), %llu bytes on disk: %s\n", part.name.c_str(),
                  static_cast<unsigned long long>(part.records), part.shards,
                  static_cast<unsigned long long>(part.file_bytes), part.folder.c_str());
  for (const auto& note : report.notes)
    out << "note: " << note << '\n';
  out << format("done in %.2f s\n", report.seconds);
}

void write_report_json(const std::string& path, const pack_report& report) {
  std::ostringstream out;
  out << "{\n  \"command\": " << json_string(report.command) << ",\n  \"inputs\": [";
  for (std::size_t i = 0; i < report.inputs.size(); ++i)
    out << (i == 0 ? "" : ", ") << json_string(report.inputs[i]);
  out << "],\n  \"choices\": [";
  for (std::size_t i = 0; i < report.choices.size(); ++i) {
    out << (i == 0 ? "\n    " : ",\n    ");
    write_choice(out, report.choices[i]);
  }
  out << "\n  ],\n  \"fields\": [";
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    out << (i == 0 ? "\n    " : ",\n    ");
    write_figures(out, report.rows[i]);
  }
  out << "\n  ],\n  \"total\": ";
  write_figures(out, totals(report));
  out << ",\n  \"splits\": [";
  for (std::size_t i = 0; i < report.splits.size(); ++i) {
    const auto& part = report.splits[i];
    out << (i == 0 ? "\n    " : ",\n    ") << "{\"name\": " << json_string(part.name)
        << ", \"folder\": " << json_string(part.folder) << ", \"records\": " << part.records
        << ", \"shards\": " << part.shards << ", \"file_bytes\": " << part.file_bytes << "}";
  }
  out << "\n  ],\n  \"notes\": [";
  for (std::size_t i = 0; i < report.notes.size(); ++i)
    out << (i == 0 ? "" : ", ") << json_string(report.notes[i]);
  out << "],\n  \"seconds\": " << json_number(report.seconds) << "\n}\n";
  std::ofstream file{path};
  if (!(file << out.str()) || !file.flush())
    throw std::runtime_error(path + ": cannot write the JSON report");
}

} // namespace ds::pack
