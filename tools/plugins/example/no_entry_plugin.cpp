/// Test fixture: a loadable library that is not a dsflow plugin.

extern "C" __attribute__((visibility("default"))) int not_a_dsflow_plugin() {
  return 0;
}
