"""importsub.distributed"""
