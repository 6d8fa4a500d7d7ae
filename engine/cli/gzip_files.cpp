#include "gzip_files.h"

#include <zlib.h>

#include <filesystem>

#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab::cli {
namespace {

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& compressed, const std::string& path) {
  z_stream stream{};
  // 16 + MAX_WBITS: expect a gzip wrapper, not a raw zlib stream.
  require(inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK, "zlib cannot start inflating " + path);
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::vector<uint8_t> out;
  uint8_t chunk[1 << 16];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = chunk;
    stream.avail_out = sizeof chunk;
    status = inflate(&stream, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof chunk - stream.avail_out));
    if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ended mid-stream
  }
  const std::string message = stream.msg ? stream.msg : "truncated gzip data";
  inflateEnd(&stream);
  require(status == Z_STREAM_END, path + " is not a complete gzip file: " + message);
  return out;
}

}  // namespace

std::vector<uint8_t> read_maybe_gzipped(const std::string& path) {
  if (std::filesystem::exists(path)) return read_file_bytes(path);
  require(std::filesystem::exists(path + ".gz"), "found neither " + path + " nor " + path + ".gz");
  return gunzip(read_file_bytes(path + ".gz"), path + ".gz");
}

}  // namespace quantlab::cli
