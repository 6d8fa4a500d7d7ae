// SHA-256 against the FIPS 180-2 test vectors (Appendix B) and base64 against RFC 4648 §10; the
// engine version against the npm package's.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "quantlab/error.h"
#include "quantlab/eval_digest.h"
#include "quantlab/version.h"
#include "shipped_data.h"

namespace quantlab::eval {
namespace {

std::string sha256_of(std::string_view text) {
  Sha256 hash;
  hash.update(text);
  return hash.hex();
}

TEST(Sha256, MatchesTheFips180_2Vectors) {
  // B.1: one block; B.2: two blocks (the padding spills into a second block); B.3: one million 'a'.
  EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_of(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(sha256_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, GivesTheSameDigestHoweverTheInputIsSplit) {
  const std::string text(1000, 'q');
  const std::string whole = sha256_of(text);
  for (size_t step : {1, 7, 63, 64, 65, 999}) {
    Sha256 hash;
    for (size_t i = 0; i < text.size(); i += step)
      hash.update(std::string_view(text).substr(i, step));
    EXPECT_EQ(hash.hex(), whole) << step;
  }
}

TEST(Base64, MatchesRfc4648AndRoundTrips) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    const std::vector<uint8_t> bytes(plain.begin(), plain.end());
    EXPECT_EQ(base64_encode(bytes), encoded);
    EXPECT_EQ(base64_decode(encoded), bytes);
  }
  std::vector<uint8_t> all(256);
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, RejectsMalformedText) {
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "Zm=v"}) {
    EXPECT_THROW(base64_decode(bad), InvalidArgument) << bad;
  }
}

TEST(Version, TheNpmPackageCarriesTheEngineVersion) {
  std::ifstream file(testing::kRoot / "package.json");
  ASSERT_TRUE(file) << "package.json";
  EXPECT_EQ(nlohmann::json::parse(file)["version"].get<std::string>(), kEngineVersion);
}

}  // namespace
}  // namespace quantlab::eval
