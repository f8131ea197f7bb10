"""The keras LeNet in Keras/TensorFlow, trained with model.fit: SGD 0.01, batch 128.

TensorFlow uses every core (2 here). Prints the seconds of the faster of two epochs."""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import mnist  # noqa: E402

peak = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
images, labels = mnist.training_set()
x = images.reshape(-1, 28, 28, 1).astype("float32") / 255
model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(6, 5, padding="same", activation="tanh"),
    keras.layers.AveragePooling2D(2),
    keras.layers.Conv2D(16, 5, activation="tanh"),
    keras.layers.AveragePooling2D(2),
    keras.layers.Conv2D(120, 5, activation="tanh"),
    keras.layers.Flatten(),
    keras.layers.Dense(84, activation="tanh"),
    keras.layers.Dense(10)])
model.compile(
    optimizer=keras.optimizers.SGD(0.01),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times = getattr(self, "times", []) + [time.perf_counter() - self.start]


timer = EpochTimer()
model.fit(x, labels, batch_size=128, epochs=2, shuffle=True, verbose=0, callbacks=[timer])
mnist.report(f"Keras {keras.__version__} / TensorFlow {tf.__version__}", min(timer.times), len(labels), peak)
