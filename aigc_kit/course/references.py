"""Further reading: the references each chapter draws on, and the source's own list, checked.

The source article's chapter 7 ("tools and resources") recommends online courses, books,
tools and eight papers. This module replaces it with what the course actually uses: for each
chapter, the papers, standards and datasets it draws on, with authors, year, venue, a stable
link and the kit names that implement each (:data:`REFERENCES`, :data:`CHAPTERS`). Every
entry was looked up, title and authors checked against the publication's own page or a
library record. The source's list is checked item by item in :data:`SOURCE_LIST` (what it
printed, what is right, where the course uses it), and its tool list in :data:`SOURCE_TOOLS`.

One place feeds three outputs: the site's "Further reading" page
(:func:`further_reading_notebook`, written by :func:`aigc_kit.course.site.build_site`), the
README's section of the same name (:func:`further_reading_markdown`; a test keeps the README
in step) and the short list that ends each chapter (:func:`chapter_reading_list`; a test
keeps each notebook's list in step). ``python -m aigc_kit.course.references`` prints the
README section.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """One publication, standard or dataset the course draws on (listed by every chapter's
    closing cell, the README and the site's "Further reading" page).

    Attributes
    ----------
    key : str
        Short identifier, e.g. ``"goodfellow2014"``.
    authors : str
        As cited ("Goodfellow et al.", "Tipping and Bishop").
    year : int
        Year of the publication cited.
    title : str
        Exact title.
    venue : str
        Journal, conference, publisher or standards body.
    url : str
        A stable link (DOI, arXiv, proceedings or the publisher's page).
    kit : tuple of str
        Public names of the kit that implement or use it, e.g. ``"training.Adam"``
        (relative to ``aigc_kit``).
    """

    key: str
    authors: str
    year: int
    title: str
    venue: str
    url: str
    kit: tuple[str, ...] = ()

    def citation(self) -> str:
        """The reference as one markdown line: authors (year). *Title*. Venue. <url>."""
        return f"{self.authors} ({self.year}). *{self.title}*. {self.venue}. <{self.url}>"


def _ref(key: str, authors: str, year: int, title: str, venue: str, url: str,
         *kit: str) -> Reference:
    return Reference(key, authors, year, title, venue, url, tuple(kit))


REFERENCES: dict[str, Reference] = {r.key: r for r in [
    # data and features
    _ref("fsdd", "Jackson et al.", 2016, "Free Spoken Digit Dataset (FSDD)",
         "GitHub release v1.0.10, CC BY-SA 4.0",
         "https://github.com/Jakobovski/free-spoken-digit-dataset",
         "data.fsdd", "data.fsdd_speakers"),
    _ref("tipping1999", "Tipping and Bishop", 1999, "Probabilistic Principal Component Analysis",
         "Journal of the Royal Statistical Society, Series B 61(3), 611-622",
         "https://doi.org/10.1111/1467-9868.00196", "models.LinearGaussianModel"),
    _ref("griffin1984", "Griffin and Lim", 1984,
         "Signal estimation from modified short-time Fourier transform",
         "IEEE Transactions on Acoustics, Speech, and Signal Processing 32(2), 236-243",
         "https://doi.org/10.1109/TASSP.1984.1164317",
         "features.mel_to_audio", "features.to_audio"),
    _ref("perraudin2013", "Perraudin, Balazs and Søndergaard", 2013, "A fast Griffin-Lim algorithm",
         "IEEE Workshop on Applications of Signal Processing to Audio and Acoustics (WASPAA)",
         "https://doi.org/10.1109/WASPAA.2013.6701851",
         "features.to_audio", "features.VOCODERS"),
    _ref("davis1980", "Davis and Mermelstein", 1980,
         "Comparison of parametric representations for monosyllabic word recognition in "
         "continuously spoken sentences",
         "IEEE Transactions on Acoustics, Speech, and Signal Processing 28(4), 357-366",
         "https://doi.org/10.1109/TASSP.1980.1163420",
         "features.mfcc", "evaluation.speech_listener"),
    _ref("huggins2006", "Huggins-Daines et al.", 2006,
         "PocketSphinx: A Free, Real-Time Continuous Speech Recognition System for Hand-Held "
         "Devices",
         "IEEE International Conference on Acoustics, Speech and Signal Processing "
         "(ICASSP 2006), I-185-I-188",
         "https://doi.org/10.1109/ICASSP.2006.1659988",
         "evaluation.speech_judge", "evaluation.WordRecognizer"),
    _ref("karplus1983", "Karplus and Strong", 1983,
         "Digital Synthesis of Plucked-String and Drum Timbres",
         "Computer Music Journal 7(2), 43-55", "https://doi.org/10.2307/3680062",
         "data.synth_notes"),
    _ref("chowning1973", "Chowning", 1973,
         "The Synthesis of Complex Audio Spectra by Means of Frequency Modulation",
         "Journal of the Audio Engineering Society 21(7), 526-534",
         "https://www.aes.org/e-lib/browse.cfm?elib=1954", "data.synth_notes"),
    _ref("iglewicz1993", "Iglewicz and Hoaglin", 1993, "How to Detect and Handle Outliers",
         "ASQC Quality Press (modified z-score, section 3.3)",
         "https://www.itl.nist.gov/div898/handbook/eda/section3/eda35h.htm",
         "data.detect_outliers"),
    _ref("mauch2014", "Mauch and Dixon", 2014,
         "pYIN: A fundamental frequency estimator using probabilistic threshold distributions",
         "IEEE ICASSP 2014, 659-663", "https://doi.org/10.1109/ICASSP.2014.6853678",
         "features.pitch_pyin", "features.clip_pitch", "evaluation.pitch_kept",
         "evaluation.PitchJudge"),
    _ref("mcfee2015", "McFee et al.", 2015, "librosa: Audio and Music Signal Analysis in Python",
         "Proceedings of the 14th Python in Science Conference (SciPy 2015), 18-25",
         "https://doi.org/10.25080/Majora-7b98e3ed-003",
         "features.onsets_tempo", "features.chroma", "features.pitch_pyin"),
    # models, losses, optimisers
    _ref("mirza2014", "Mirza and Osindero", 2014, "Conditional Generative Adversarial Nets",
         "arXiv:1411.1784", "https://arxiv.org/abs/1411.1784", "models.LabelConditioned",
         "generation.CONDITIONAL_RECIPE"),
    _ref("miyato2018cgan", "Miyato and Koyama", 2018, "cGANs with Projection Discriminator",
         "International Conference on Learning Representations (ICLR 2018)",
         "https://arxiv.org/abs/1802.05637", "models.ProjectionDiscriminator"),
    _ref("ho2020", "Ho, Jain and Abbeel", 2020, "Denoising Diffusion Probabilistic Models",
         "Advances in Neural Information Processing Systems 33 (NeurIPS 2020)",
         "https://arxiv.org/abs/2006.11239", "models.DiffusionModel", "models.ddpm_step",
         "training.train_diffusion"),
    _ref("nichol2021", "Nichol and Dhariwal", 2021,
         "Improved Denoising Diffusion Probabilistic Models",
         "International Conference on Machine Learning (ICML 2021), PMLR 139",
         "https://arxiv.org/abs/2102.09672", "models.NoiseSchedule"),
    _ref("song2021ddim", "Song, Meng and Ermon", 2021, "Denoising Diffusion Implicit Models",
         "International Conference on Learning Representations (ICLR 2021)",
         "https://arxiv.org/abs/2010.02502", "models.ddim_step"),
    _ref("ho2022cfg", "Ho and Salimans", 2022, "Classifier-Free Diffusion Guidance",
         "NeurIPS 2021 Workshop on Deep Generative Models and Downstream Applications; "
         "arXiv:2207.12598", "https://arxiv.org/abs/2207.12598", "models.DiffusionModel",
         "generation.DIFFUSION_RECIPE"),
    _ref("kong2021", "Kong et al.", 2021,
         "DiffWave: A Versatile Diffusion Model for Audio Synthesis",
         "International Conference on Learning Representations (ICLR 2021)",
         "https://arxiv.org/abs/2009.09761"),
    _ref("engel2020", "Engel et al.", 2020, "DDSP: Differentiable Digital Signal Processing",
         "International Conference on Learning Representations (ICLR 2020)",
         "https://arxiv.org/abs/2001.04643", "models.HarmonicGenerator",
         "generation.HARMONIC_RECIPE"),
    _ref("goodfellow2014", "Goodfellow et al.", 2014, "Generative Adversarial Nets",
         "Advances in Neural Information Processing Systems 27 (NeurIPS 2014)",
         "https://arxiv.org/abs/1406.2661",
         "models.MLPGenerator", "models.MLPDiscriminator", "training.train_gan",
         "training.generator_loss", "training.discriminator_loss"),
    _ref("kingma2014", "Kingma and Welling", 2014, "Auto-Encoding Variational Bayes",
         "International Conference on Learning Representations (ICLR 2014)",
         "https://arxiv.org/abs/1312.6114",
         "models.VAE", "training.vae_loss", "training.gaussian_kl", "training.train_vae"),
    _ref("kingma2015", "Kingma and Ba", 2015, "Adam: A Method for Stochastic Optimization",
         "International Conference on Learning Representations (ICLR 2015)",
         "https://arxiv.org/abs/1412.6980", "training.Adam", "training.step_factor"),
    _ref("lecun2006", "LeCun et al.", 2006, "A Tutorial on Energy-Based Learning",
         "In: Bakir et al. (eds.), Predicting Structured Data, MIT Press",
         "http://yann.lecun.com/exdb/publis/pdf/lecun-06.pdf",
         "models.energy_probability", "models.log_partition", "models.sample_energy"),
    _ref("krizhevsky2012", "Krizhevsky, Sutskever and Hinton", 2012,
         "ImageNet Classification with Deep Convolutional Neural Networks",
         "Advances in Neural Information Processing Systems 25 (NeurIPS 2012), 1097-1105",
         "https://proceedings.neurips.cc/paper/4824-imagenet-classification-with-deep-"
         "convolutional-neural-networks", "models.MelClassifier"),
    _ref("smith2017", "Smith and Topin", 2017,
         "Super-Convergence: Very Fast Training of Neural Networks Using Large Learning Rates",
         "arXiv:1708.07120", "https://arxiv.org/abs/1708.07120", "training.train_classifier"),
    _ref("goodfellow2016", "Goodfellow, Bengio and Courville", 2016, "Deep Learning",
         "MIT Press", "https://www.deeplearningbook.org/"),
    # the audio GAN and its recipe
    _ref("radford2016", "Radford, Metz and Chintala", 2016,
         "Unsupervised Representation Learning with Deep Convolutional Generative "
         "Adversarial Networks", "International Conference on Learning Representations "
         "(ICLR 2016)", "https://arxiv.org/abs/1511.06434", "models.ConvGenerator"),
    _ref("ioffe2015", "Ioffe and Szegedy", 2015,
         "Batch Normalization: Accelerating Deep Network Training by Reducing Internal "
         "Covariate Shift", "International Conference on Machine Learning (ICML 2015)",
         "https://arxiv.org/abs/1502.03167", "generation.BN_R1_RECIPE"),
    _ref("mescheder2018", "Mescheder, Geiger and Nowozin", 2018,
         "Which Training Methods for GANs do actually Converge?",
         "International Conference on Machine Learning (ICML 2018)",
         "https://arxiv.org/abs/1801.04406", "training.GANConfig", "generation.BN_R1_RECIPE"),
    _ref("karras2020", "Karras et al.", 2020,
         "Analyzing and Improving the Image Quality of StyleGAN",
         "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR 2020)",
         "https://arxiv.org/abs/1912.04958", "training.GANConfig", "generation.KIT_RECIPE"),
    _ref("gurumurthy2017", "Gurumurthy, Sarvadevabhatla and Babu", 2017,
         "DeLiGAN: Generative Adversarial Networks for Diverse and Limited Data",
         "arXiv:1706.02071", "https://arxiv.org/abs/1706.02071", "models.MixturePrior"),
    _ref("yazici2019", "Yazıcı et al.", 2019,
         "The Unusual Effectiveness of Averaging in GAN Training",
         "International Conference on Learning Representations (ICLR 2019)",
         "https://arxiv.org/abs/1806.04498", "training.GANConfig", "generation.KIT_RECIPE"),
    _ref("wang2017", "Wang et al.", 2017, "Tacotron: Towards End-to-End Speech Synthesis",
         "Interspeech 2017", "https://arxiv.org/abs/1703.10135",
         "models.SpectralInverter", "training.TrainedVocoder"),
    # evaluation
    _ref("salimans2016", "Salimans et al.", 2016, "Improved Techniques for Training GANs",
         "Advances in Neural Information Processing Systems 29 (NeurIPS 2016), 2234-2242",
         "https://arxiv.org/abs/1606.03498",
         "evaluation.inception_score", "evaluation.score_samples"),
    _ref("heusel2017", "Heusel et al.", 2017,
         "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
         "Advances in Neural Information Processing Systems 30 (NeurIPS 2017), 6626-6637",
         "https://arxiv.org/abs/1706.08500", "evaluation.frechet_distance"),
    _ref("kilgour2019", "Kilgour et al.", 2019,
         "Fréchet Audio Distance: A Reference-Free Metric for Evaluating Music Enhancement "
         "Algorithms", "Interspeech 2019", "https://arxiv.org/abs/1812.08466",
         "evaluation.frechet_distance"),
    _ref("szegedy2016", "Szegedy et al.", 2016,
         "Rethinking the Inception Architecture for Computer Vision",
         "IEEE Conference on Computer Vision and Pattern Recognition (CVPR 2016), 2818-2826",
         "https://doi.org/10.1109/CVPR.2016.308",
         "evaluation.notes_listener", "evaluation.speech_listener"),
    _ref("leroux2019", "Le Roux et al.", 2019, "SDR – Half-baked or Well Done?",
         "IEEE ICASSP 2019", "https://arxiv.org/abs/1811.02508", "evaluation.si_snr"),
    _ref("itu_p800", "ITU-T", 1996,
         "Recommendation P.800: Methods for subjective determination of transmission quality",
         "International Telecommunication Union", "https://www.itu.int/rec/T-REC-P.800",
         "evaluation.mos"),
    _ref("itu_bs1534", "ITU-R", 2015,
         "Recommendation BS.1534-3: Method for the subjective assessment of intermediate "
         "quality level of audio systems (MUSHRA)", "International Telecommunication Union",
         "https://www.itu.int/rec/R-REC-BS.1534",
         "interaction.mushra_test", "evaluation.mushra_screen", "evaluation.mushra_summary"),
    _ref("schoeffler2018", "Schoeffler et al.", 2018,
         "webMUSHRA — A Comprehensive Framework for Web-based Listening Tests",
         "Journal of Open Research Software 6(1), 8", "https://doi.org/10.5334/jors.187",
         "interaction.mushra_test"),
    _ref("clark1982", "Clark", 1982,
         "High-Resolution Subjective Testing Using a Double-Blind Comparator",
         "Journal of the Audio Engineering Society 30(5)",
         "https://www.aes.org/e-lib/browse.cfm?elib=3839",
         "interaction.abx_test", "evaluation.abx_summary"),
    _ref("wilson1927", "Wilson", 1927,
         "Probable Inference, the Law of Succession, and Statistical Inference",
         "Journal of the American Statistical Association 22(158), 209-212",
         "https://www.jstor.org/stable/2276774",
         "evaluation.ab_preference", "evaluation.ai_or_real"),
    # interaction
    _ref("deboer2005", "de Boer et al.", 2005, "A Tutorial on the Cross-Entropy Method",
         "Annals of Operations Research 134, 19-67",
         "https://doi.org/10.1007/s10479-005-5724-z",
         "interaction.adapt_prior", "interaction.feedback_rounds"),
    # music and speech
    _ref("hochreiter1997", "Hochreiter and Schmidhuber", 1997, "Long Short-Term Memory",
         "Neural Computation 9(8), 1735-1780", "https://doi.org/10.1162/neco.1997.9.8.1735",
         "apps.music.MelodyLSTM"),
    _ref("cho2014", "Cho et al.", 2014,
         "Learning Phrase Representations using RNN Encoder–Decoder for Statistical Machine "
         "Translation", "EMNLP 2014", "https://doi.org/10.3115/v1/D14-1179",
         "apps.music.MelodyVAE"),
    _ref("sutskever2014", "Sutskever, Vinyals and Le", 2014,
         "Sequence to Sequence Learning with Neural Networks",
         "Advances in Neural Information Processing Systems 27 (NeurIPS 2014), 3104-3112",
         "https://arxiv.org/abs/1409.3215", "apps.music.MelodyVAE"),
    _ref("roberts2018", "Roberts et al.", 2018,
         "A Hierarchical Latent Vector Model for Learning Long-Term Structure in Music",
         "International Conference on Machine Learning (ICML 2018), PMLR 80, 4364-4373",
         "https://proceedings.mlr.press/v80/roberts18a.html", "apps.music.MelodyVAE"),
    _ref("cuthbert2010", "Cuthbert and Ariza", 2010,
         "music21: A Toolkit for Computer-Aided Musicology and Symbolic Music Data",
         "ISMIR 2010, 637-642", "http://hdl.handle.net/1721.1/84963",
         "apps.music.load_bach_soprano"),
    _ref("raffel2014", "Raffel and Ellis", 2014,
         "Intuitive Analysis, Creation and Manipulation of MIDI Data with pretty_midi",
         "ISMIR 2014 late-breaking demo", "https://github.com/craffel/pretty-midi",
         "apps.music.write_midi"),
    _ref("sohn2015", "Sohn, Lee and Yan", 2015,
         "Learning Structured Output Representation using Deep Conditional Generative Models",
         "Advances in Neural Information Processing Systems 28 (NeurIPS 2015)",
         "https://papers.nips.cc/paper/5775-learning-structured-output-representation-using-"
         "deep-conditional-generative-models", "models.ConditionalVAE",
         "apps.speech.train_digit_voice"),
    _ref("donahue2019", "Donahue, McAuley and Puckette", 2019, "Adversarial Audio Synthesis",
         "International Conference on Learning Representations (ICLR 2019)",
         "https://arxiv.org/abs/1802.04208", "apps.speech.intelligibility"),
    _ref("brock2018", "Brock, Donahue and Simonyan", 2018,
         "Large Scale GAN Training for High Fidelity Natural Image Synthesis",
         "arXiv:1809.11096 (ICLR 2019)", "https://arxiv.org/abs/1809.11096",
         "apps.speech.say"),
    _ref("ren2019", "Ren et al.", 2019, "FastSpeech: Fast, Robust and Controllable Text to Speech",
         "Advances in Neural Information Processing Systems 32 (NeurIPS 2019)",
         "https://arxiv.org/abs/1905.09263"),
    _ref("kim2021", "Kim, Kong and Son", 2021,
         "Conditional Variational Autoencoder with Adversarial Learning for End-to-End "
         "Text-to-Speech", "International Conference on Machine Learning (ICML 2021)",
         "https://arxiv.org/abs/2106.06103"),
    # video
    _ref("trecvid", "NIST", 2001, "TRECVID: shot boundary detection task (2001-2007)",
         "National Institute of Standards and Technology", "https://trecvid.nist.gov/",
         "apps.video.score_cuts"),
    _ref("hasler2003", "Hasler and Süsstrunk", 2003, "Measuring colourfulness in natural images",
         "Proc. SPIE 5007, Human Vision and Electronic Imaging VIII",
         "https://doi.org/10.1117/12.477378", "apps.video.colourfulness"),
    _ref("ojala2002", "Ojala, Pietikäinen and Mäenpää", 2002,
         "Multiresolution Gray-Scale and Rotation Invariant Texture Classification with "
         "Local Binary Patterns", "IEEE Transactions on Pattern Analysis and Machine "
         "Intelligence 24(7), 971-987", "https://doi.org/10.1109/TPAMI.2002.1017623",
         "apps.video.lbp_histograms"),
    _ref("haralick1973", "Haralick, Shanmugam and Dinstein", 1973,
         "Textural Features for Image Classification",
         "IEEE Transactions on Systems, Man, and Cybernetics SMC-3(6), 610-621",
         "https://doi.org/10.1109/TSMC.1973.4309314", "apps.video.glcm_features"),
    _ref("lucas1981", "Lucas and Kanade", 1981,
         "An Iterative Image Registration Technique with an Application to Stereo Vision",
         "International Joint Conference on Artificial Intelligence (IJCAI 1981)",
         "https://www.ijcai.org/Proceedings/81-2/Papers/017.pdf",
         "apps.video.optical_flow", "apps.video.clip_flows"),
    _ref("vanderwalt2014", "van der Walt et al.", 2014, "scikit-image: image processing in Python",
         "PeerJ 2, e453", "https://doi.org/10.7717/peerj.453",
         "apps.video.make_clip", "apps.video.optical_flow"),
    _ref("reinhard2001", "Reinhard et al.", 2001, "Color Transfer between Images",
         "IEEE Computer Graphics and Applications 21(5), 34-41",
         "https://doi.org/10.1109/38.946629", "apps.video.colour_transfer"),
    _ref("gatys2015", "Gatys, Ecker and Bethge", 2015, "A Neural Algorithm of Artistic Style",
         "arXiv:1508.06576 (CVPR 2016: Image Style Transfer Using Convolutional Neural "
         "Networks)", "https://arxiv.org/abs/1508.06576",
         "apps.video.style_transfer", "apps.video.gram_style_distance"),
    _ref("gatys2015texture", "Gatys, Ecker and Bethge", 2015,
         "Texture Synthesis Using Convolutional Neural Networks",
         "Advances in Neural Information Processing Systems 28 (NeurIPS 2015), 262-270",
         "https://arxiv.org/abs/1505.07376", "apps.video.gram_matrices"),
    _ref("ustyuzhaninov2016", "Ustyuzhaninov et al.", 2016,
         "Texture Synthesis Using Shallow Convolutional Networks with Random Filters",
         "arXiv:1606.00021", "https://arxiv.org/abs/1606.00021", "apps.video.RandomTextureNet"),
    _ref("ruder2016", "Ruder, Dosovitskiy and Brox", 2016, "Artistic style transfer for videos",
         "German Conference on Pattern Recognition (GCPR 2016)",
         "https://arxiv.org/abs/1604.08610",
         "apps.video.style_transfer", "apps.video.occlusion_mask", "apps.video.warp_error"),
    _ref("tulyakov2018", "Tulyakov et al.", 2018,
         "MoCoGAN: Decomposing Motion and Content for Video Generation",
         "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR 2018)",
         "https://doi.org/10.1109/CVPR.2018.00165", "apps.video.moving_shapes"),
    # provenance and data
    _ref("cox1997", "Cox et al.", 1997, "Secure Spread Spectrum Watermarking for Multimedia",
         "IEEE Transactions on Image Processing 6(12), 1673-1687",
         "https://doi.org/10.1109/83.650120",
         "apps.provenance.embed_watermark", "apps.provenance.detect_watermark"),
    _ref("gebru2021", "Gebru et al.", 2021, "Datasheets for Datasets",
         "Communications of the ACM 64(12); arXiv:1803.09010",
         "https://arxiv.org/abs/1803.09010", "data.fsdd_speakers"),
    # in the source's list only
    _ref("he2016", "He et al.", 2016, "Deep Residual Learning for Image Recognition",
         "IEEE Conference on Computer Vision and Pattern Recognition (CVPR 2016)",
         "https://arxiv.org/abs/1512.03385"),
]}

#: The reference keys of each chapter, in the order its closing list shows them.
CHAPTERS: dict[int | str, tuple[str, ...]] = {
    1: ("fsdd", "tipping1999", "griffin1984", "davis1980", "huggins2006"),
    2: ("fsdd", "karplus1983", "chowning1973", "iglewicz1993"),
    3: ("mauch2014", "davis1980", "mcfee2015"),
    4: ("goodfellow2014", "kingma2014", "krizhevsky2012", "smith2017", "goodfellow2016"),
    5: ("lecun2006", "goodfellow2014", "kingma2014", "kingma2015"),
    6: ("radford2016", "ioffe2015", "mescheder2018", "karras2020", "gurumurthy2017",
        "yazici2019", "salimans2016", "griffin1984", "perraudin2013", "wang2017", "mauch2014",
        "mirza2014", "miyato2018cgan", "engel2020"),
    "6b": ("ho2020", "nichol2021", "song2021ddim", "ho2022cfg", "kong2021", "heusel2017",
           "mauch2014"),
    7: ("salimans2016", "heusel2017", "kilgour2019", "szegedy2016", "leroux2019", "itu_p800",
        "itu_bs1534", "schoeffler2018", "clark1982", "wilson1927"),
    8: ("deboer2005", "kingma2014"),
    9: ("hochreiter1997", "cho2014", "sutskever2014", "roberts2018", "cuthbert2010",
        "raffel2014"),
    10: ("wang2017", "ren2019", "kim2021", "sohn2015", "donahue2019", "brock2018",
         "davis1980", "huggins2006", "wilson1927"),
    11: ("trecvid", "hasler2003", "ojala2002", "haralick1973", "lucas1981", "vanderwalt2014"),
    12: ("reinhard2001", "gatys2015", "gatys2015texture", "ustyuzhaninov2016", "ruder2016",
         "lucas1981", "tulyakov2018"),
    13: ("cox1997", "gebru2021", "fsdd"),
}

#: The source's chapter 7.3 papers and 7.1 books, checked: (as printed, finding, key or "").
SOURCE_LIST: tuple[tuple[str, str, str], ...] = (
    ("\"A Theoretical Analysis of the CNN Architectures for Visual Recognition\" (2014), "
     "under deep learning",
     "**Not found as printed**: no publication of 2014 (or any year) carries this title. "
     "Which paper was meant cannot be told from the entry; for CNN image classifiers, the "
     "course's `MelClassifier` draws on Krizhevsky et al. (2012), listed by the source "
     "itself.", ""),
    ("\"Deep Residual Learning for Image Recognition\" (2015)",
     "Correct: He, Zhang, Ren and Sun; arXiv December 2015, published at CVPR 2016. The "
     "course's networks are too shallow to need residual connections; not used.", "he2016"),
    ("\"Generative Adversarial Networks\" (2014)",
     "Correct as the arXiv title (1406.2661); the NeurIPS 2014 paper is titled "
     "\"Generative Adversarial Nets\". Chapters 4-6.", "goodfellow2014"),
    ("\"Unsupervised Representation Learning with Deep Convolutional Generative "
     "Adversarial Networks\" (2015)",
     "Correct (DCGAN): arXiv 2015, ICLR 2016. Chapter 6's convolutional GAN.", "radford2016"),
    ("\"A Neural Algorithm of Artistic Style\" (2015), **filed under natural language "
     "processing**",
     "**Misfiled**: Gatys, Ecker and Bethge's paper is about *image* style transfer "
     "(Gram matrices of CNN features), not language; it is what chapter 12's style transfer "
     "builds on.", "gatys2015"),
    ("\"Seq2Seq Learning with Neural Network Encoders and Decoders\" (2014)",
     "**Misnamed**: the paper is Sutskever, Vinyals and Le, \"Sequence to Sequence Learning "
     "with Neural Networks\", NeurIPS 2014. Chapter 9's melody VAE uses the encoder-decoder "
     "idea.", "sutskever2014"),
    ("\"ImageNet Classification with Deep Convolutional Neural Networks\" (2012)",
     "Correct: Krizhevsky, Sutskever and Hinton, NeurIPS 2012. Chapter 4's classifier is a "
     "small CNN in this line.", "krizhevsky2012"),
    ("\"Rethinking the Inception Architecture for Computer Vision\" (2015)",
     "Correct: Szegedy et al., arXiv 2015, CVPR 2016. It is the Inception-v3 network that the "
     "image literature's IS and FID use; chapter 7 replaces it by listeners trained on real "
     "recordings.", "szegedy2016"),
    ("Book: 《深度学习》(Goodfellow, Bengio, Courville)",
     "Correct: *Deep Learning*, MIT Press 2016, free online.", "goodfellow2016"),
    ("Book: 《生成对抗网络：理论与实践》(Li, Bengio)",
     "**Could not be matched**: no book of this title by these authors was found.", ""),
    ("Book: 《自适应智能生成内容》(Shi, Liu)",
     "**Could not be matched**: no book of this title by these authors was found.", ""),
    ("Online courses: 《深度学习与生成对抗网络》, 《自然语言处理与文本生成》, "
     "《计算机视觉与图像生成》",
     "No provider, author or link is given, so they cannot be identified; not listed.", ""),
)

#: The source's chapter 7.2 tools, checked: (as printed, finding).
SOURCE_TOOLS: tuple[tuple[str, str], ...] = (
    ("Keras: \"a high-level API based on Theano and TensorFlow\"",
     "**Out of date**: Theano's development ended with its 1.0 release (announced by MILA in "
     "September 2017); Keras dropped its other back ends for TensorFlow in 2018, and "
     "Keras 3 (2023) runs on JAX, TensorFlow or PyTorch. The source's own chapter 5.1 calls "
     "Keras TensorFlow-based. The kit uses PyTorch: <https://pytorch.org>"),
    ("TensorFlow (Google), PyTorch (Facebook)",
     "Both current; PyTorch has been governed by the PyTorch Foundation (Linux Foundation) "
     "since 2022. The kit is written in PyTorch."),
    ("Python, NumPy, Matplotlib", "Used throughout: <https://numpy.org>, "
     "<https://matplotlib.org>"),
    ("R", "Not used by the course."),
    ("TensorFlow, Keras and PyTorch documentation",
     "The course's own tools: librosa (<https://librosa.org>), torchaudio "
     "(<https://pytorch.org/audio>), scikit-learn (<https://scikit-learn.org>), "
     "scikit-image (<https://scikit-image.org>), ipywidgets "
     "(<https://ipywidgets.readthedocs.io>), papermill and nbgrader for classes."),
)


def chapter_key(stem: str) -> int | str:
    """The key in :data:`CHAPTERS` of the chapter notebook ``stem``: 5 for
    ``05_math_losses_optimizers``, ``"6b"`` for ``06b_project_audio_diffusion``."""
    from aigc_kit.check import chapter_id

    found = chapter_id(stem)
    return int(found) if found.isdigit() else found.lstrip("0")


def chapter_references(chapter: int | str) -> list[Reference]:
    """The references chapter ``chapter`` (1-13, or ``"6b"``) draws on, in order.

    Notes
    -----
    Used by every chapter's closing list and by ``aigc-kit course`` / ``aigc-kit site``.
    """
    return [REFERENCES[key] for key in CHAPTERS[chapter]]


def _kit(reference: Reference) -> str:
    return ", ".join(f"`{name}`" for name in reference.kit) or "background, not used directly"


def chapter_reading_list(chapter: int | str) -> str:
    """The markdown cell that ends chapter ``chapter``: its references, one line each.

    Notes
    -----
    Each chapter's last cell is this text (a test keeps them equal).
    """
    lines = ["## Further reading", "",
             "What this chapter draws on. Every reference of the course, and the source "
             "article's own reading list checked and corrected, is on the course site's "
             "[Further reading](further_reading.html) page and in the README.", ""]
    lines += [f"- {r.citation()} Kit: {_kit(r)}." for r in chapter_references(chapter)]
    return "\n".join(lines)


def further_reading_markdown(heading: str = "##") -> str:
    """All of it as markdown: references by chapter, the source's list and tools checked.

    Parameters
    ----------
    heading : str
        Markdown level of the sections (``"##"`` for the README, ``"#"`` on the site page,
        whose title is its own heading).

    Notes
    -----
    The README's "Further reading" section is this text (``python -m
    aigc_kit.course.references``); the site's page is built from it by ``aigc-kit course``.
    """
    sub = heading + "#"
    out = ["The source article's chapter 7 recommends courses, books, tools and eight papers. "
           "Below are instead the references each chapter of this course actually draws on "
           "(authors, year, venue, a stable link, and the kit names that implement them), each "
           "looked up and checked; then the source's own list, checked item by item, with its "
           "errors corrected.", ""]
    for chapter, keys in CHAPTERS.items():
        out += [f"{sub} Chapter {chapter}", ""]
        out += [f"- {REFERENCES[k].citation()} Kit: {_kit(REFERENCES[k])}." for k in keys]
        out.append("")
    out += [f"{sub} The source's reading list, checked", "",
            "| as printed in the source | what we found |", "|---|---|"]
    for printed, finding, key in SOURCE_LIST:
        link = f" <{REFERENCES[key].url}>" if key else ""
        out.append(f"| {printed} | {finding}{link} |")
    out += ["", f"{sub} The source's tools, checked", "", "| as printed | what we found |",
            "|---|---|"]
    out += [f"| {printed} | {finding} |" for printed, finding in SOURCE_TOOLS]
    return "\n".join(out)


def further_reading_notebook():
    """The site's "Further reading" page as a one-cell notebook (written by ``aigc-kit
    course`` and ``aigc-kit site`` through ``build_site``)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# Further reading\n\n" + further_reading_markdown(heading="#"))])
    nb.metadata["title"] = "Further reading"
    return nb


if __name__ == "__main__":
    print(further_reading_markdown())
