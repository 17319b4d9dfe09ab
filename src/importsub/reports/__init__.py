"""importsub.reports"""
