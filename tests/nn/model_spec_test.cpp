#define BOOST_TEST_MODULE model_spec
#include <boost/test/unit_test.hpp>

#include "nn/model_spec.hpp"

namespace {

std::string error_of(const std::string& text) {
  try {
    ds::nn::parse_model_spec(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(each_kind_builds_the_model_it_describes) {
  auto mlp = ds::nn::build_model("mlp sizes=784,256,128,10 activation=gelu seed=4");
  BOOST_TEST(mlp.input_size() == 784u);
  BOOST_TEST(mlp.classes() == 10u);
  BOOST_TEST(mlp.parameters().size() == 784u * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  auto cnn = ds::nn::build_model("cnn conv1=4 conv2=8 hidden=32");
  BOOST_TEST(cnn.input_size() == 784u);
  auto lm = ds::nn::build_model("transformer_lm vocab=20 context=8 d_model=16 heads=2 layers=1");
  BOOST_TEST(lm.input_size() == 8u);
  BOOST_TEST(lm.classes() == 20u);
  BOOST_TEST((ds::nn::parse_model_spec("transformer_lm vocab=20").task == ds::nn::model_task::next_token));
  BOOST_TEST((ds::nn::parse_model_spec("mlp").task == ds::nn::model_task::classify));
}

BOOST_AUTO_TEST_CASE(the_same_line_builds_the_same_parameters) {
  auto a = ds::nn::build_model("mlp sizes=16,8,4 seed=9");
  auto b = ds::nn::build_model("mlp sizes=16,8,4 seed=9");
  auto c = ds::nn::build_model("mlp sizes=16,8,4 seed=10");
  BOOST_TEST(std::equal(a.parameters().begin(), a.parameters().end(), b.parameters().begin()));
  BOOST_TEST(!std::equal(a.parameters().begin(), a.parameters().end(), c.parameters().begin()));
}

BOOST_AUTO_TEST_CASE(bucket_size_is_taken_from_the_line) {
  auto small = ds::nn::build_model("mlp sizes=64,64,64,10 bucket_kib=8");
  // From the last layer back: 64→10 (2.6 KiB) stays open until 64→64 joins it; 64→64 alone.
  BOOST_TEST(small.store().buckets().size() == 2u);
  auto one = ds::nn::build_model("mlp sizes=64,64,64,10");
  BOOST_TEST(one.store().buckets().size() == 1u);
}

BOOST_AUTO_TEST_CASE(mistakes_are_named) {
  BOOST_TEST(error_of("") == "model: empty description (expected e.g. 'mlp sizes=784,256,10')");
  BOOST_TEST(error_of("resnet") == "model: unknown kind 'resnet' (known: mlp, cnn, transformer_lm)");
  BOOST_TEST(error_of("mlp layers=3") == "model 'mlp layers=3': unknown key 'layers' (takes sizes, activation, seed, bucket_kib)");
  BOOST_TEST(error_of("mlp sizes=784,x") == "model 'mlp sizes=784,x': sizes expects a whole number, got 'x'");
  BOOST_TEST(error_of("mlp sizes") == "model 'mlp sizes': expected key=value, got 'sizes'");
  BOOST_TEST(error_of("mlp seed=1 seed=2") == "model 'mlp seed=1 seed=2': 'seed' is given twice");
  BOOST_TEST(error_of("mlp activation=tanh") == "model: activation must be relu or gelu, got 'tanh'");
}
