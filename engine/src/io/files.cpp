#include <cerrno>
#include <cstring>
#include <fstream>

#include "quantlab/error.h"
#include "quantlab/io.h"

namespace quantlab {

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  require(in.good(), "cannot open " + path + ": " + std::strerror(errno));
  const std::streamsize size = in.tellg();
  in.seekg(0);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  require(in.gcount() == size, "cannot read " + path + ": " + std::strerror(errno));
  return bytes;
}

void write_file_bytes(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  require(out.good(), "cannot create " + path + ": " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.close();
  require(out.good(), "cannot write " + path + ": " + std::strerror(errno));
}

}  // namespace quantlab
