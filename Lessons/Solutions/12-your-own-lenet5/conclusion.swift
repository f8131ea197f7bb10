let conclusion = """
  In these one-epoch runs on 6,000 digits, the choices that moved validation accuracy by more
  than a point were the pooling and the shifts. Plain average pooling (about 88.7%) learned
  more slowly than LeCun's trainable subsampling (about 92.1%), whose coefficient lets each map
  choose its own scale, and max pooling did best (about 93.2%). Shifted digits cost about three
  points: a short run has no time to profit from harder examples, which pay off over many
  epochs. Full C3 (91.4%) and ReLU (90.9%) are within about a point of the paper's network,
  which one seed cannot tell apart from noise. To be sure, I would run each row with five seeds,
  then train the best few for several epochs on all 60,000 digits and compare them on the
  validation split again, keeping the test set for the one final figure.
  """
