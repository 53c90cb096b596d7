// A file system for tests that stands in for a machine whose power can go
// and whose disk can fill or fail. It passes every call to the machine's
// file system and remembers what a power cut could still take away: the
// bytes of each file written since its last sync, the files created, and
// the renames made, since their directory was last synced.
//
// A test cuts the power with Crash(): from then on every write fails, as
// on a machine that stopped, and nothing more reaches the disk. Once the
// store is closed, LoseUnsyncedData() does to the files what the cut may
// have done, chosen by the random source it is given: per file, unsynced
// bytes are all kept, all dropped, or torn at some byte; files and renames
// the directory never learned of durably are undone. Then Restore() powers
// the machine on again. RocksDB's own fault-injection file system works
// the same way.
//
// FailWrites() makes writes fail with a given error (a full disk, an I/O
// error) until it is cleared, without a crash.
//
// Not modelled: a deletion that a power cut undoes (the store ignores files
// it no longer lists), and data lost from a synced file.
#ifndef KITH_TESTS_FAULT_INJECTION_FS_H_
#define KITH_TESTS_FAULT_INJECTION_FS_H_

#include <rocksdb/file_system.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace kith::testing {

class FaultInjectionFs final : public rocksdb::FileSystemWrapper {
 public:
  FaultInjectionFs();
  const char* Name() const override { return "FaultInjectionFs"; }

  // Every write, sync and change of a name fails with `error` from now on;
  // OK clears it. Reads still work.
  void FailWrites(rocksdb::IOStatus error);
  // The power goes: every write fails from now on, and nothing more is
  // written, synced, renamed or deleted.
  void Crash();
  // The power goes just after the `n`th append to a file from now on, so
  // before that append is synced.
  void CrashAfterAppends(uint64_t n);
  // Waits for the crash CrashAfterAppends set up; false if `patience`
  // passes first.
  bool AwaitCrash(std::chrono::milliseconds patience);
  // REQUIRES: after Crash(), with nothing open for writing. Applies the
  // power cut to the files; returns how many bytes were lost.
  uint64_t LoseUnsyncedData(std::mt19937_64& rng);
  // Power is back: writes work, and only what is written from now on is
  // at risk.
  void Restore();

  rocksdb::IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& path,
                                       const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& path, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& path, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

 private:
  class File;
  class Directory;

  // What a power cut could still take from a file.
  struct FileState {
    uint64_t size = 0;    // bytes written
    uint64_t synced = 0;  // of which synced
    // Not yet durable in its directory: the file was created (or renamed
    // here) since the directory's last sync. `previous` is what the name
    // held before a rename over it, if anything.
    bool name_pending = false;
    std::optional<std::string> previous;
  };

  // The error every write gets now (OK if none). REQUIRES: mu_ held.
  rocksdb::IOStatus WriteError() const;
  // Runs `op` unless writes fail now, then `recorded` if it succeeded, all
  // under mu_, so that a crash falls wholly before or after it.
  template <typename Op, typename Recorded>
  rocksdb::IOStatus Guarded(Op op, Recorded recorded) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto error = WriteError(); !error.ok()) return error;
    rocksdb::IOStatus s = op();
    if (s.ok()) recorded();
    return s;
  }
  rocksdb::IOStatus Track(const std::string& path, rocksdb::IOStatus opened,
                          std::unique_ptr<rocksdb::FSWritableFile>* result, bool fresh);
  // A file of `path` wrote, synced or truncated to `size` bytes.
  void Wrote(const std::string& path, uint64_t size);
  void Synced(const std::string& path);
  void DirectorySynced(const std::string& dir);

  // An append to a file succeeded.
  void Appended();

  std::mutex mu_;  // held across each write and sync, so Crash() orders against them
  std::condition_variable crashed_cv_;
  bool crashed_ = false;
  uint64_t appends_before_crash_ = 0;  // 0: no crash set up
  rocksdb::IOStatus write_error_;
  std::map<std::string, FileState> files_;
};

}  // namespace kith::testing

#endif  // KITH_TESTS_FAULT_INJECTION_FS_H_
