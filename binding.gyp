# node-gyp build of the rnnkit addon (what `npm install` runs through node-gyp-build when no prebuilt
# binary fits). The sources come from native/sources.json, the one list CMakeLists.txt reads too
# ('<!@(node -p ...)' as sharp does). Per-ISA flags go only on the isa files, which therefore sit in
# static libraries of their own (gyp sets flags per target, not per file). sse2.cc needs no flag (x86-64's
# baseline; a stub elsewhere), so it sits in the addon target with scalar.cc; neon.cc needs no -m flag
# either but has its own library for -ffp-contract=fast. No -march=native.
{
  'variables': {
    'rnnkit_sources': "require('./native/sources.json')",
  },
  'target_defaults': {
    'include_dirs': ['native/kernels'],
    'cflags': ['-fPIC', '-fvisibility=hidden'],
    'xcode_settings': {'CLANG_CXX_LANGUAGE_STANDARD': 'c++17', 'MACOSX_DEPLOYMENT_TARGET': '10.15'},
    'msvs_settings': {'VCCLCompilerTool': {'AdditionalOptions': ['/std:c++17']}},
  },
  'targets': [
    {
      'target_name': 'rnnkit_isa_avx2',
      'type': 'static_library',
      'sources': ['<!@(node -p "<(rnnkit_sources).isa.avx2.join(\' \')")'],
      'conditions': [
        ['target_arch=="x64" or target_arch=="ia32"', {
          'cflags': ['-mavx2', '-mfma'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx2', '-mfma']},
          'msvs_settings': {'VCCLCompilerTool': {'AdditionalOptions': ['/arch:AVX2']}},
        }],
      ],
    },
    {
      'target_name': 'rnnkit_isa_avx512',
      'type': 'static_library',
      'sources': ['<!@(node -p "<(rnnkit_sources).isa.avx512.join(\' \')")'],
      'conditions': [
        ['target_arch=="x64" or target_arch=="ia32"', {
          'cflags': ['-mavx512f', '-mfma'],
          'xcode_settings': {'OTHER_CFLAGS': ['-mavx512f', '-mfma']},
          'msvs_settings': {'VCCLCompilerTool': {'AdditionalOptions': ['/arch:AVX512']}},
        }],
      ],
    },
    {
      # No -march flag (NEON is AArch64's baseline; a stub elsewhere): only -ffp-contract=fast, which fuses
      # simd.h's NEON multiply-adds (written c + a·b, see there) into fmla.
      'target_name': 'rnnkit_isa_neon',
      'type': 'static_library',
      'sources': ['<!@(node -p "<(rnnkit_sources).isa.neon.join(\' \')")'],
      'conditions': [
        ['OS!="win"', {
          'cflags': ['-ffp-contract=fast'],
          'xcode_settings': {'OTHER_CFLAGS': ['-ffp-contract=fast']},
        }],
      ],
    },
    {
      'target_name': 'rnnkit',
      'sources': [
        '<!@(node -p "<(rnnkit_sources).kernels.join(\' \')")',
        '<!@(node -p "<(rnnkit_sources).isa.scalar.join(\' \')")',
        '<!@(node -p "<(rnnkit_sources).isa.sse2.join(\' \')")',
        '<!@(node -p "<(rnnkit_sources).binding.join(\' \')")',
      ],
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except",
        'rnnkit_isa_avx2',
        'rnnkit_isa_avx512',
        'rnnkit_isa_neon',
      ],
      'defines': ['NAPI_VERSION=8', 'RNNKIT_BUILD_NODE_GYP'],
    },
  ],
}
